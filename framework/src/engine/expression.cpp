#include <pipeline/engine/expression.hpp>
#include <pipeline/sdk/limits.hpp>
#include <pipeline/sdk/regex.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>

namespace pipeline {

// ---- AST ---------------------------------------------------------------------------------------

struct Expression::Node {
  enum class Kind { kLiteral, kPath, kUnary, kBinary, kCall };
  Kind kind;
  json::value literal;
  std::string text;  // path, operator or function name
  std::vector<std::shared_ptr<const Node>> children;
  // Iterative, so that no tree (however deep a hostile input made it) overflows the stack.
  ~Node();
};

Expression::Node::~Node() {
  std::vector<std::shared_ptr<const Node>> pending = std::move(children);
  while (!pending.empty()) {
    std::shared_ptr<const Node> n = std::move(pending.back());
    pending.pop_back();
    if (n.use_count() == 1) {
      // Last owner: take its children before it dies, so its destructor has nothing to recurse.
      auto& grandchildren = const_cast<Node&>(*n).children;
      for (auto& c : grandchildren) pending.push_back(std::move(c));
      grandchildren.clear();
    }
  }
}

using NodePtr = std::shared_ptr<const Expression::Node>;

namespace {

// ---- Tokens ------------------------------------------------------------------------------------

struct Token {
  enum class Kind { kEnd, kNumber, kString, kIdent, kOp };
  Kind kind = Kind::kEnd;
  std::string text;
  json::value number;
  std::size_t column = 0;
};

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto error = [&](std::size_t col, const std::string& what) -> Status {
    return invalid_argument("at column " + std::to_string(col + 1) + ": " + what);
  };
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.column = i;
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      bool is_float = false;
      if (j + 1 < s.size() && s[j] == '.' && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
        is_float = true;
        ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      std::string num(s.substr(i, j - i));
      t.kind = Token::Kind::kNumber;
      int64_t n = 0;
      auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
      if (!is_float && ec == std::errc() && end == num.data() + num.size()) {
        t.number = n;
      } else {
        // Too long for int64, or a decimal: a double, unless even that cannot hold it.
        errno = 0;
        double d = std::strtod(num.c_str(), nullptr);
        if (errno == ERANGE || !std::isfinite(d)) {
          return error(i, "number " + (num.size() > 20 ? num.substr(0, 20) + "..." : num) +
                              " is out of range");
        }
        t.number = d;
      }
      i = j;
    } else if (c == '\'' || c == '"') {
      std::string v;
      std::size_t j = i + 1;
      bool closed = false;
      while (j < s.size()) {
        if (s[j] == '\\' && j + 1 < s.size()) {
          char e = s[j + 1];
          v += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          j += 2;
        } else if (s[j] == c) {
          closed = true;
          ++j;
          break;
        } else {
          v += s[j++];
        }
      }
      if (!closed) return error(i, "unterminated string");
      t.kind = Token::Kind::kString;
      t.text = std::move(v);
      i = j;
    } else if (ident_start(c)) {
      // A path: idents joined by '.', ':' (previous_response:step) and [n] indexes.
      std::string v;
      std::size_t j = i;
      while (j < s.size()) {
        if (ident_char(s[j]) || s[j] == '-') {
          // '-' only inside a name (step-1), never as a trailing minus operator
          if (s[j] == '-' && (j + 1 >= s.size() || !ident_char(s[j + 1]) || v.empty())) break;
          if (s[j] == '-' && (j > 0 && std::isspace(static_cast<unsigned char>(s[j - 1])))) break;
          v += s[j++];
        } else if ((s[j] == '.' || s[j] == ':') && j + 1 < s.size() && ident_char(s[j + 1])) {
          v += s[j++];
        } else if (s[j] == '[') {
          std::size_t k = j + 1;
          while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) ++k;
          if (k == j + 1 || k >= s.size() || s[k] != ']') return error(j, "expected [index]");
          v += '.';  // appended piecewise: `"." + std::string` trips GCC 12's false -Wrestrict
          v.append(s.substr(j + 1, k - j - 1));
          j = k + 1;
        } else {
          break;
        }
      }
      t.kind = Token::Kind::kIdent;
      t.text = std::move(v);
      i = j;
    } else {
      static const char* kOps[] = {"==", "!=", ">=", "<=", "&&", "||", ">", "<", "!", "+",
                                   "-",  "*",  "/",  "%",  "(",  ")",  ",", "?", ":"};
      bool matched = false;
      for (const char* op : kOps) {
        std::string_view o(op);
        if (s.substr(i, o.size()) == o) {
          t.kind = Token::Kind::kOp;
          t.text = std::string(o);
          i += o.size();
          matched = true;
          break;
        }
      }
      if (!matched) return error(i, std::string("unexpected character '") + c + "'");
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.column = s.size();
  out.push_back(end);
  return out;
}

// ---- Parser (precedence climbing) --------------------------------------------------------------

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<NodePtr> parse_all() {
    auto e = parse_ternary();
    if (!e) return e;
    if (peek().kind != Token::Kind::kEnd) return error("unexpected '" + describe(peek()) + "'");
    return e;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  const Token& next() { return t_[pos_++]; }
  Status error(const std::string& m) const {
    return invalid_argument("at column " + std::to_string(peek().column + 1) + ": " + m);
  }
  static std::string describe(const Token& t) {
    if (t.kind == Token::Kind::kEnd) return "end of expression";
    if (t.kind == Token::Kind::kNumber) return json::serialize(t.number);
    return t.text;
  }

  // The binary operator at the cursor, normalized ("and" -> "&&"), with its precedence.
  std::optional<std::pair<std::string, int>> binary_op() const {
    const Token& t = peek();
    std::string op;
    if (t.kind == Token::Kind::kOp) {
      op = t.text;
    } else if (t.kind == Token::Kind::kIdent) {
      if (t.text == "and")
        op = "&&";
      else if (t.text == "or")
        op = "||";
      else if (t.text == "contains" || t.text == "matches" || t.text == "in" || t.text == "between")
        op = t.text;
      else
        return std::nullopt;
    } else {
      return std::nullopt;
    }
    static const std::map<std::string, int> kPrec = {
        {"||", 1}, {"&&", 2}, {"==", 3},       {"!=", 3},      {">", 4},  {"<", 4},
        {">=", 4}, {"<=", 4}, {"contains", 4}, {"matches", 4}, {"in", 4}, {"between", 4},
        {"+", 5},  {"-", 5},  {"*", 6},        {"/", 6},       {"%", 6}};
    auto it = kPrec.find(op);
    if (it == kPrec.end()) return std::nullopt;
    return *it;
  }

  bool at_op(std::string_view text) const {
    return peek().kind == Token::Kind::kOp && peek().text == text;
  }

  // cond ? a : b, the lowest precedence (pipeline_ex workflows use it in set_variable).
  Result<NodePtr> parse_ternary() {
    DepthGuard guard(depth_);
    if (guard.too_deep()) return too_deep();
    auto cond = parse_binary(0);
    if (!cond || !at_op("?")) return cond;
    next();
    auto yes = parse_ternary();
    if (!yes) return yes;
    if (!at_op(":")) return error("expected ':' in 'condition ? a : b'");
    next();
    auto no = parse_ternary();
    if (!no) return no;
    return NodePtr(std::make_shared<Expression::Node>(
        Expression::Node{Expression::Node::Kind::kCall, nullptr, "__ternary", {*cond, *yes, *no}}));
  }

  Result<NodePtr> parse_binary(int min_prec) {
    auto lhs = parse_unary();
    if (!lhs) return lhs;
    NodePtr left = *lhs;
    while (auto op = binary_op()) {
      if (op->second < min_prec) break;
      next();
      if (op->first == "between") {
        // x between lo and hi (pipeline_ex): the bounds are arithmetic, so `and` ends the first.
        auto lo = parse_binary(5);
        if (!lo) return lo;
        if (!(peek().kind == Token::Kind::kIdent && peek().text == "and")) {
          return error("expected 'and' in 'x between low and high'");
        }
        next();
        auto hi = parse_binary(5);
        if (!hi) return hi;
        left = std::make_shared<Expression::Node>(
            Expression::Node{Expression::Node::Kind::kCall, nullptr, "between", {left, *lo, *hi}});
        continue;
      }
      auto rhs = parse_binary(op->second + 1);
      if (!rhs) return rhs;
      left = std::make_shared<Expression::Node>(
          Expression::Node{Expression::Node::Kind::kBinary, nullptr, op->first, {left, *rhs}});
    }
    return left;
  }

  Result<NodePtr> parse_unary() {
    const Token& t = peek();
    if ((t.kind == Token::Kind::kOp && (t.text == "!" || t.text == "-")) ||
        (t.kind == Token::Kind::kIdent && t.text == "not")) {
      DepthGuard guard(depth_);
      if (guard.too_deep()) return too_deep();
      std::string op = t.text == "-" ? "-" : "!";
      next();
      auto e = parse_unary();
      if (!e) return e;
      return NodePtr(std::make_shared<Expression::Node>(
          Expression::Node{Expression::Node::Kind::kUnary, nullptr, op, {*e}}));
    }
    return parse_primary();
  }

  Result<NodePtr> parse_primary() {
    const Token& t = peek();
    using K = Expression::Node::Kind;
    switch (t.kind) {
      case Token::Kind::kNumber: {
        next();
        return NodePtr(
            std::make_shared<Expression::Node>(Expression::Node{K::kLiteral, t.number, {}, {}}));
      }
      case Token::Kind::kString: {
        next();
        return NodePtr(std::make_shared<Expression::Node>(
            Expression::Node{K::kLiteral, json::string(t.text), {}, {}}));
      }
      case Token::Kind::kIdent: {
        std::string name = t.text;
        next();
        if (name == "true" || name == "false") {
          return NodePtr(std::make_shared<Expression::Node>(
              Expression::Node{K::kLiteral, name == "true", {}, {}}));
        }
        if (name == "null" || name == "nil") {
          return NodePtr(
              std::make_shared<Expression::Node>(Expression::Node{K::kLiteral, nullptr, {}, {}}));
        }
        if (peek().kind == Token::Kind::kOp && peek().text == "(") {
          next();
          std::vector<NodePtr> args;
          if (!(peek().kind == Token::Kind::kOp && peek().text == ")")) {
            while (true) {
              auto a = parse_ternary();
              if (!a) return a;
              args.push_back(*a);
              if (peek().kind == Token::Kind::kOp && peek().text == ",") {
                next();
                continue;
              }
              break;
            }
          }
          if (!(peek().kind == Token::Kind::kOp && peek().text == ")")) {
            return error("expected ')' to close the call of " + name + "()");
          }
          next();
          auto fns = expression_functions();
          if (std::find(fns.begin(), fns.end(), name) == fns.end()) {
            std::string known;
            for (const auto& f : fns) known += (known.empty() ? "" : ", ") + f;
            return invalid_argument("unknown function '" + name + "' (known: " + known + ")");
          }
          return NodePtr(
              std::make_shared<Expression::Node>(Expression::Node{K::kCall, nullptr, name, args}));
        }
        return NodePtr(
            std::make_shared<Expression::Node>(Expression::Node{K::kPath, nullptr, name, {}}));
      }
      case Token::Kind::kOp:
        if (t.text == "(") {
          next();
          auto e = parse_ternary();
          if (!e) return e;
          if (!(peek().kind == Token::Kind::kOp && peek().text == ")"))
            return error("expected ')'");
          next();
          return e;
        }
        return error("unexpected '" + t.text + "'");
      case Token::Kind::kEnd:
        return error("expression ends too early");
    }
    return error("unexpected token");
  }

  // Counts the parser's own recursion (parentheses, unary operators, ternaries, call arguments).
  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    bool too_deep() const { return depth_ > limits::kMaxExpressionDepth; }

   private:
    int& depth_;
  };
  Status too_deep() const {
    return error("nested more than " + std::to_string(limits::kMaxExpressionDepth) +
                 " levels deep");
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

// ---- Evaluation --------------------------------------------------------------------------------

// RE2: linear in the subject, no recursion, so a user's pattern cannot hang or crash the run.
Result<json::value> regex_search(const std::string& text, const std::string& pattern) {
  Regex re = Regex::compile(pattern);
  if (!re.ok()) return invalid_argument(re.error());
  return json::value(re.search(text));
}

// Depth of a tree, without recursion (a left-leaning chain `1+1+...` is as deep as it is long).
int tree_depth(const Expression::Node& root) {
  int deepest = 0;
  std::vector<std::pair<const Expression::Node*, int>> pending{{&root, 1}};
  while (!pending.empty()) {
    auto [n, d] = pending.back();
    pending.pop_back();
    deepest = std::max(deepest, d);
    for (const auto& c : n->children) pending.emplace_back(c.get(), d + 1);
  }
  return deepest;
}

std::optional<double> as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  if (v.is_bool()) return std::nullopt;
  if (v.is_string()) {
    const auto& s = v.get_string();
    if (s.empty()) return std::nullopt;
    try {
      std::size_t used = 0;
      double d = std::stod(std::string(s), &used);
      if (used == s.size()) return d;
    } catch (...) {
    }
  }
  return std::nullopt;
}

bool is_integral(const json::value& v) {
  return v.is_int64() || v.is_uint64();
}

json::value number_value(double d, bool integral) {
  if (integral && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
    return static_cast<int64_t>(d);
  }
  return d;
}

bool equal(const json::value& a, const json::value& b) {
  auto na = as_number(a), nb = as_number(b);
  if (na && nb && (a.is_number() || b.is_number())) return *na == *nb;
  if (a.is_bool() && b.is_string()) return (a.get_bool() ? "true" : "false") == b.get_string();
  if (b.is_bool() && a.is_string()) return equal(b, a);
  return a == b;
}

Result<int> compare(const json::value& a, const json::value& b) {
  auto na = as_number(a), nb = as_number(b);
  if (na && nb) return *na < *nb ? -1 : *na > *nb ? 1 : 0;
  if (a.is_string() && b.is_string()) {
    int c = a.get_string().subview().compare(b.get_string().subview());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_null() || b.is_null()) return invalid_argument("cannot order null");
  return invalid_argument("cannot compare " + json::serialize(a) + " with " + json::serialize(b));
}

bool contains(const json::value& hay, const json::value& needle) {
  if (hay.is_string())
    return hay.get_string().subview().find(to_text(needle)) != std::string_view::npos;
  if (hay.is_array()) {
    for (const auto& e : hay.get_array()) {
      if (equal(e, needle)) return true;
    }
    return false;
  }
  if (hay.is_object()) return needle.is_string() && hay.get_object().contains(needle.get_string());
  return false;
}

class Evaluator {
 public:
  Evaluator(const PathResolver& r, const std::function<void(std::string_view)>& u,
            const CancelCheck& c)
      : resolve_(r), on_unknown_(u), cancelled_(c) {}

  Result<json::value> eval(const Expression::Node& n, bool quiet = false) const {
    using K = Expression::Node::Kind;
    if ((n.kind == K::kPath || n.kind == K::kCall) && cancelled_ && cancelled_()) {
      return Status(StatusCode::kCancelled, "cancelled while evaluating an expression");
    }
    switch (n.kind) {
      case K::kLiteral:
        return n.literal;
      case K::kPath: {
        auto v = resolve_ ? resolve_(n.text) : std::nullopt;
        if (v) return *v;
        if (!quiet && on_unknown_) on_unknown_(n.text);
        return json::value(nullptr);
      }
      case K::kUnary: {
        auto v = eval(*n.children[0], quiet);
        if (!v) return v;
        if (n.text == "!") return json::value(!truthy(*v));
        auto d = as_number(*v);
        if (!d) return invalid_argument("cannot negate " + json::serialize(*v));
        return number_value(-*d, is_integral(*v));
      }
      case K::kBinary:
        return binary(n, quiet);
      case K::kCall:
        return call(n, quiet);
    }
    return internal_error("bad expression node");
  }

 private:
  Result<json::value> binary(const Expression::Node& n, bool quiet) const {
    const std::string& op = n.text;
    auto l = eval(*n.children[0], quiet);
    if (!l) return l;
    if (op == "&&" && !truthy(*l)) return json::value(false);
    if (op == "||" && truthy(*l)) return json::value(true);
    auto r = eval(*n.children[1], quiet);
    if (!r) return r;
    const json::value& a = *l;
    const json::value& b = *r;
    if (op == "&&" || op == "||") return json::value(truthy(b));
    if (op == "==") return json::value(equal(a, b));
    if (op == "!=") return json::value(!equal(a, b));
    if (op == "contains") return json::value(contains(a, b));
    if (op == "in") return json::value(contains(b, a));
    if (op == "matches") {
      return regex_search(to_text(a), to_text(b));
    }
    if (op == ">" || op == "<" || op == ">=" || op == "<=") {
      if (a.is_null() || b.is_null()) return json::value(false);
      auto c = compare(a, b);
      if (!c) return c.status();
      if (op == ">") return json::value(*c > 0);
      if (op == "<") return json::value(*c < 0);
      if (op == ">=") return json::value(*c >= 0);
      return json::value(*c <= 0);
    }
    if (op == "+" && (a.is_string() || b.is_string()) && !(as_number(a) && as_number(b))) {
      return json::value(to_text(a) + to_text(b));
    }
    auto x = as_number(a), y = as_number(b);
    if (!x || !y) {
      return invalid_argument("'" + op + "' needs numbers, got " + json::serialize(a) + " and " +
                              json::serialize(b));
    }
    bool integral = is_integral(a) && is_integral(b);
    if (op == "+") return number_value(*x + *y, integral);
    if (op == "-") return number_value(*x - *y, integral);
    if (op == "*") return number_value(*x * *y, integral);
    if (*y == 0) return invalid_argument("division by zero");
    if (op == "/") return number_value(*x / *y, integral && std::fmod(*x, *y) == 0);
    return number_value(std::fmod(*x, *y), integral);
  }

  Result<json::value> call(const Expression::Node& n, bool quiet) const {
    const std::string& f = n.text;
    if (f == "__ternary") {
      auto c = eval(*n.children[0], quiet);
      if (!c) return c;
      return eval(*n.children[truthy(*c) ? 1 : 2], quiet);
    }
    // exists()/defined() ask about absence, so their argument is not an "unknown variable".
    bool arg_quiet = quiet || f == "exists" || f == "defined" || f == "default";
    std::vector<json::value> args;
    for (const auto& c : n.children) {
      auto v = eval(*c, arg_quiet);
      if (!v) return v;
      args.push_back(std::move(*v));
    }
    auto need = [&](std::size_t lo, std::size_t hi) -> Status {
      if (args.size() < lo || args.size() > hi) {
        return invalid_argument(
            f + "() takes " +
            (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
            " argument(s), got " + std::to_string(args.size()));
      }
      return {};
    };
    auto num = [&](std::size_t i) -> Result<double> {
      auto d = as_number(args[i]);
      if (!d)
        return invalid_argument(f + "(): argument " + std::to_string(i + 1) +
                                " is not a number: " + json::serialize(args[i]));
      return *d;
    };
    auto all_integral = [&] {
      return std::all_of(args.begin(), args.end(), [](const auto& a) { return is_integral(a); });
    };
    if (f == "exists" || f == "defined") {
      if (auto s = need(1, 1); !s.ok()) return s;
      return json::value(!args[0].is_null());
    }
    if (f == "default") {
      if (auto s = need(2, 2); !s.ok()) return s;
      return args[0].is_null() ? args[1] : args[0];
    }
    if (f == "length" || f == "len" || f == "size" || (f == "count" && args.size() != 2)) {
      if (auto s = need(1, 1); !s.ok()) return s;
      const auto& a = args[0];
      if (a.is_string()) return json::value(static_cast<int64_t>(a.get_string().size()));
      if (a.is_array()) return json::value(static_cast<int64_t>(a.get_array().size()));
      if (a.is_object()) return json::value(static_cast<int64_t>(a.get_object().size()));
      return json::value(int64_t{0});
    }
    if (f == "upper" || f == "lower" || f == "trim") {
      if (auto s = need(1, 1); !s.ok()) return s;
      std::string t = to_text(args[0]);
      if (f == "upper") std::transform(t.begin(), t.end(), t.begin(), ::toupper);
      if (f == "lower") std::transform(t.begin(), t.end(), t.begin(), ::tolower);
      if (f == "trim") {
        auto b = t.find_first_not_of(" \t\r\n");
        auto e = t.find_last_not_of(" \t\r\n");
        t = b == std::string::npos ? "" : t.substr(b, e - b + 1);
      }
      return json::value(t);
    }
    if (f == "contains" || f == "starts_with" || f == "ends_with") {
      if (auto s = need(2, 2); !s.ok()) return s;
      if (f == "contains") return json::value(contains(args[0], args[1]));
      std::string t = to_text(args[0]), p = to_text(args[1]);
      if (f == "starts_with") return json::value(t.rfind(p, 0) == 0);
      return json::value(t.size() >= p.size() && t.compare(t.size() - p.size(), p.size(), p) == 0);
    }
    if (f == "add" || f == "subtract" || f == "multiply" || f == "divide" || f == "min" ||
        f == "max" || f == "mod") {
      if (args.size() < 2) return invalid_argument(f + "() needs at least 2 arguments");
      auto acc = num(0);
      if (!acc) return acc.status();
      double v = *acc;
      for (std::size_t i = 1; i < args.size(); ++i) {
        auto d = num(i);
        if (!d) return d.status();
        if ((f == "divide" || f == "mod") && *d == 0)
          return invalid_argument(f + "(): division by zero");
        if (f == "add") v += *d;
        if (f == "subtract") v -= *d;
        if (f == "multiply") v *= *d;
        if (f == "divide") v /= *d;
        if (f == "mod") v = std::fmod(v, *d);
        if (f == "min") v = std::min(v, *d);
        if (f == "max") v = std::max(v, *d);
      }
      return number_value(v, all_integral() && (f != "divide" || v == std::floor(v)));
    }
    if (f == "sum" || f == "avg" || f == "average") {
      if (auto s = need(1, 1); !s.ok()) return s;
      if (!args[0].is_array()) return invalid_argument(f + "() needs a list");
      double total = 0;
      bool integral = true;
      for (const auto& e : args[0].get_array()) {
        auto d = as_number(e);
        if (!d) return invalid_argument(f + "(): not a number: " + json::serialize(e));
        total += *d;
        integral = integral && is_integral(e);
      }
      if (f == "sum") return number_value(total, integral);
      auto n_items = args[0].get_array().size();
      return json::value(n_items == 0 ? 0.0 : total / static_cast<double>(n_items));
    }
    if (f == "abs" || f == "floor" || f == "ceil") {
      if (auto s = need(1, 1); !s.ok()) return s;
      auto d = num(0);
      if (!d) return d.status();
      if (f == "abs") return number_value(std::fabs(*d), is_integral(args[0]));
      return number_value(f == "floor" ? std::floor(*d) : std::ceil(*d), true);
    }
    if (f == "round") {
      if (auto s = need(1, 2); !s.ok()) return s;
      auto d = num(0);
      if (!d) return d.status();
      int digits = 0;
      if (args.size() == 2) {
        auto p = num(1);
        if (!p) return p.status();
        digits = static_cast<int>(*p);
      }
      double scale = std::pow(10.0, digits);
      return number_value(std::round(*d * scale) / scale, digits == 0);
    }
    if (f == "to_string" || f == "str" || f == "string") {
      if (auto s = need(1, 1); !s.ok()) return s;
      return json::value(to_text(args[0]));
    }
    if (f == "to_number" || f == "number" || f == "int" || f == "float") {
      if (auto s = need(1, 1); !s.ok()) return s;
      auto d = num(0);
      if (!d) return d.status();
      if (f == "int") return json::value(static_cast<int64_t>(*d));
      return number_value(*d, f != "float" && *d == std::floor(*d));
    }
    if (f == "json") {
      if (auto s = need(1, 1); !s.ok()) return s;
      return json::value(json::serialize(args[0]));
    }
    if (f == "join") {
      if (auto s = need(1, 2); !s.ok()) return s;
      if (!args[0].is_array()) return invalid_argument("join() needs a list");
      std::string sep = args.size() == 2 ? to_text(args[1]) : ", ";
      std::string out;
      for (const auto& e : args[0].get_array()) out += (out.empty() ? "" : sep) + to_text(e);
      return json::value(out);
    }
    if (f == "split") {
      if (auto s = need(2, 2); !s.ok()) return s;
      std::string t = to_text(args[0]), sep = to_text(args[1]);
      json::array out;
      if (sep.empty()) return invalid_argument("split(): empty separator");
      std::size_t start = 0;
      for (auto pos = t.find(sep); pos != std::string::npos; pos = t.find(sep, start)) {
        out.emplace_back(t.substr(start, pos - start));
        start = pos + sep.size();
      }
      out.emplace_back(t.substr(start));
      return json::value(out);
    }
    if (f == "keys" || f == "values") {
      if (auto s = need(1, 1); !s.ok()) return s;
      json::array out;
      if (args[0].is_object()) {
        for (const auto& kv : args[0].get_object()) {
          if (f == "keys")
            out.emplace_back(kv.key());
          else
            out.push_back(kv.value());
        }
      }
      return json::value(out);
    }
    if (f == "any" || f == "all" || (f == "count" && args.size() == 2)) {
      // any(list, 'severity == "high"'): the predicate reads each item's fields first.
      if (auto s = need(1, 2); !s.ok()) return s;
      if (!args[0].is_array()) return json::value(f == "all");
      std::optional<Expression> pred;
      if (args.size() == 2) {
        auto p = Expression::parse(to_text(args[1]));
        if (!p) return invalid_argument(f + "(): predicate: " + p.status().message());
        pred = std::move(*p);
      }
      int64_t hits = 0;
      for (const auto& item : args[0].get_array()) {
        bool ok = truthy(item);
        if (pred) {
          PathResolver inner = [&](std::string_view path) -> std::optional<json::value> {
            if (path == "item" || path == "it") return item;
            if (const json::value* v = get_path(item, path)) return *v;
            return resolve_ ? resolve_(path) : std::nullopt;
          };
          auto v = pred->evaluate(inner, {}, cancelled_);
          if (!v) return v;
          ok = truthy(*v);
        }
        if (ok) ++hits;
      }
      if (f == "count") return json::value(hits);
      if (f == "any") return json::value(hits > 0);
      return json::value(hits == static_cast<int64_t>(args[0].get_array().size()));
    }
    if (f == "between") {
      if (auto s = need(3, 3); !s.ok()) return s;
      if (args[0].is_null()) return json::value(false);
      auto lo = compare(args[0], args[1]);
      if (!lo) return lo.status();
      auto hi = compare(args[0], args[2]);
      if (!hi) return hi.status();
      return json::value(*lo >= 0 && *hi <= 0);
    }
    if (f == "sqrt" || f == "pow") {
      if (auto s = need(f == "sqrt" ? 1 : 2, f == "sqrt" ? 1 : 2); !s.ok()) return s;
      auto a = num(0);
      if (!a) return a.status();
      if (f == "sqrt") return json::value(std::sqrt(*a));
      auto b = num(1);
      if (!b) return b.status();
      return number_value(std::pow(*a, *b), all_integral() && *b >= 0);
    }
    if (f == "now") {
      if (auto s = need(0, 0); !s.ok()) return s;
      return json::value(static_cast<int64_t>(std::time(nullptr)));
    }
    if (f == "days" || f == "hours" || f == "minutes" || f == "seconds") {
      // Durations in seconds, so now() - days(1) compares with unix timestamps.
      if (auto s = need(1, 1); !s.ok()) return s;
      auto d = num(0);
      if (!d) return d.status();
      double unit = f == "days" ? 86400 : f == "hours" ? 3600 : f == "minutes" ? 60 : 1;
      return number_value(*d * unit, is_integral(args[0]));
    }
    if (f == "startsWith" || f == "endsWith") {
      if (auto s = need(2, 2); !s.ok()) return s;
      std::string t = to_text(args[0]), p = to_text(args[1]);
      if (f == "startsWith") return json::value(t.rfind(p, 0) == 0);
      return json::value(t.size() >= p.size() && t.compare(t.size() - p.size(), p.size(), p) == 0);
    }
    if (f == "matches") {
      if (auto s = need(2, 2); !s.ok()) return s;
      return regex_search(to_text(args[0]), to_text(args[1]));
    }
    if (f == "first" || f == "last") {
      if (auto s = need(1, 1); !s.ok()) return s;
      if (!args[0].is_array() || args[0].get_array().empty()) return json::value(nullptr);
      return f == "first" ? args[0].get_array().front() : args[0].get_array().back();
    }
    return invalid_argument("unknown function '" + f + "'");
  }

  const PathResolver& resolve_;
  const std::function<void(std::string_view)>& on_unknown_;
  const CancelCheck& cancelled_;
};

void collect_paths(const Expression::Node& n, std::vector<std::string>& out) {
  if (n.kind == Expression::Node::Kind::kPath) out.push_back(n.text);
  for (const auto& c : n.children) collect_paths(*c, out);
}

}  // namespace

std::string shorten_for_message(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return std::string(text.substr(0, cut)) + "...";
}

std::vector<std::string> expression_functions() {
  return {"all",       "any",       "between",     "days",    "endsWith", "hours",      "matches",
          "minutes",   "now",       "pow",         "seconds", "sqrt",     "startsWith", "abs",
          "add",       "average",   "avg",         "ceil",    "contains", "count",      "default",
          "defined",   "divide",    "ends_with",   "exists",  "first",    "float",      "floor",
          "int",       "join",      "json",        "keys",    "last",     "len",        "length",
          "lower",     "max",       "min",         "mod",     "multiply", "number",     "round",
          "size",      "split",     "starts_with", "str",     "string",   "subtract",   "sum",
          "to_number", "to_string", "trim",        "upper",   "values"};
}

bool truthy(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return false;
    case json::kind::bool_:
      return v.get_bool();
    case json::kind::int64:
      return v.get_int64() != 0;
    case json::kind::uint64:
      return v.get_uint64() != 0;
    case json::kind::double_:
      return v.get_double() != 0.0;
    case json::kind::string: {
      const auto& s = v.get_string();
      return !s.empty() && s != "false";
    }
    case json::kind::array:
      return !v.get_array().empty();
    case json::kind::object:
      return !v.get_object().empty();
  }
  return false;
}

Result<Expression> Expression::parse(std::string_view text) {
  if (text.size() > limits::kMaxExpressionBytes) {
    return invalid_argument("expression is " + std::to_string(text.size()) +
                            " bytes long; the limit is " +
                            std::to_string(limits::kMaxExpressionBytes));
  }
  auto tokens = tokenize(text);
  if (!tokens) return tokens.status();
  Parser p(std::move(*tokens));
  auto root = p.parse_all();
  if (!root) return root.status();
  if (tree_depth(**root) > limits::kMaxExpressionDepth) {
    return invalid_argument("expression nested more than " +
                            std::to_string(limits::kMaxExpressionDepth) +
                            " levels deep (a chain of operators counts one level per operator)");
  }
  Expression e;
  e.root_ = *root;
  e.text_ = std::string(text);
  return e;
}

Result<json::value> Expression::evaluate(const PathResolver& resolve,
                                         const std::function<void(std::string_view)>& on_unknown,
                                         const CancelCheck& cancelled) const {
  Evaluator ev(resolve, on_unknown, cancelled);
  return ev.eval(*root_);
}

std::vector<std::string> Expression::paths() const {
  std::vector<std::string> out;
  collect_paths(*root_, out);
  return out;
}

}  // namespace pipeline
