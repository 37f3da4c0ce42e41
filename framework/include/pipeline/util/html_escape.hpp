// Text made safe to put inside HTML (and SVG) element content and quoted attribute values: the
// five characters with a meaning in markup become character references, and ill-formed UTF-8 is
// repaired, so names that come from users' workflows (`<script>`, quotes) show as text.
//
//   out << "<td title=\"" << html_escape(step) << "\">" << html_escape(step) << "</td>";
#pragma once

#include <string>
#include <string_view>

namespace pipeline {

// & < > " ' as &amp; &lt; &gt; &quot; &#39;; every ill-formed UTF-8 sequence as U+FFFD.
std::string html_escape(std::string_view text);

}  // namespace pipeline
