// `pipeline program show FILE [--json]`: the predictors of a program saved by DSPy (or by us),
// with instructions, field prefixes and demo counts, and whether each can run here.
#include "commands.hpp"

#include <pipeline/dspy/program.hpp>
#include <pipeline/util/utf8.hpp>

#include <iostream>

namespace pipeline::cli {

void add_program_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string file;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("program", "Inspect programs saved in DSPy's JSON format");
  cmd->require_subcommand(1);
  CLI::App* show = cmd->add_subcommand("show", "List a program's predictors");
  show->add_option("file", opts->file, "The program JSON (as DSPy's program.save() writes it)")
      ->required();
  show->add_flag("--json", opts->json, "Print one JSON document");
  show->callback([opts, &exit_code] {
    auto prog = dspy::Program::load_file(opts->file);
    if (!prog) {
      if (opts->json)
        std::cout << json::serialize(json::object{{"error", prog.status().message()}}) << std::endl;
      std::cerr << "error: " << prog.status().message() << "\n";
      exit_code = kExitBadInput;
      return;
    }
    if (opts->json) {
      json::array preds;
      for (const auto& p : prog->predictors()) {
        json::array prefixes;
        for (const auto& f : p.fields) prefixes.emplace_back(json::string(f.prefix));
        json::object o{{"name", p.name},
                       {"runnable", p.not_runnable.empty()},
                       {"instructions", p.instructions},
                       {"fields", std::move(prefixes)},
                       {"demos", p.demos.size()}};
        if (!p.not_runnable.empty()) o["not_runnable"] = p.not_runnable;
        preds.push_back(std::move(o));
      }
      json::object doc{
          {"file", opts->file}, {"predictors", std::move(preds)}, {"metadata", prog->metadata()}};
      std::cout << valid_utf8(json::serialize(doc)) << std::endl;
      exit_code = kExitOk;
      return;
    }
    std::cout << opts->file << ": " << prog->predictors().size() << " predictor(s)\n";
    for (const auto& p : prog->predictors()) {
      std::cout << "\n"
                << p.name
                << (p.not_runnable.empty() ? "" : "  [not runnable: " + p.not_runnable + "]")
                << "\n  fields (" << p.fields.size() << "):";
      for (std::size_t i = 0; i < p.fields.size(); ++i)
        std::cout << (i ? ", " : " ") << p.fields[i].prefix;
      std::cout << "\n  demos: " << p.demos.size() << "\n  instructions:\n";
      std::string line;
      for (char c : p.instructions) {
        if (c == '\n') {
          std::cout << "    " << line << "\n";
          line.clear();
        } else {
          line += c;
        }
      }
      std::cout << "    " << line << "\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace pipeline::cli
