#include <pipeline/dspy/program.hpp>

#include <pipeline/dspy/chain_of_thought.hpp>
#include <pipeline/dspy/python_text.hpp>
#include <pipeline/sdk/file_reader.hpp>
#include <pipeline/util/atomic_file.hpp>

namespace pipeline::dspy {

namespace {

// ReAct's tool loop: named `react` by dspy.ReAct, or recognisable by its next_tool_* fields.
bool is_react(const Predictor& p) {
  if (p.name == "react" || (p.name.size() > 6 && p.name.ends_with(".react"))) return true;
  for (const auto& f : p.fields)
    if (f.prefix == "Next Tool Name:" || f.description == "${next_tool_name}") return true;
  return false;
}

Result<Predictor> predictor_from_json(const std::string& name, const json::value& v,
                                      const std::string& source) {
  auto where = source + ": predictor '" + name + "'";
  const auto* o = v.if_object();
  if (!o) return invalid_argument(where + ": expected an object");
  Predictor p;
  p.name = name;
  p.state = *o;
  const auto* sig = o->if_contains("signature");
  if (!sig || !sig->is_object()) return invalid_argument(where + ": missing `signature` object");
  const auto& so = sig->get_object();
  const auto* ins = so.if_contains("instructions");
  if (!ins || !ins->is_string())
    return invalid_argument(where + ": `signature.instructions` must be text");
  p.instructions = python_cleandoc(ins->get_string());
  const auto* fields = so.if_contains("fields");
  if (!fields || !fields->is_array())
    return invalid_argument(where + ": `signature.fields` must be a list");
  for (std::size_t i = 0; i < fields->get_array().size(); ++i) {
    const auto& f = fields->get_array()[i];
    const auto* fo = f.if_object();
    if (!fo)
      return invalid_argument(where + ": field " + std::to_string(i + 1) + " is not an object");
    const auto* prefix = fo->if_contains("prefix");
    const auto* desc = fo->if_contains("description");
    if (!prefix || !prefix->is_string() || !desc || !desc->is_string())
      return invalid_argument(where + ": field " + std::to_string(i + 1) +
                              " needs text `prefix` and `description`");
    p.fields.push_back({std::string(prefix->get_string()), std::string(desc->get_string())});
  }
  if (const auto* demos = o->if_contains("demos")) {
    if (!demos->is_array()) return invalid_argument(where + ": `demos` must be a list");
    for (std::size_t i = 0; i < demos->get_array().size(); ++i) {
      const auto* d = demos->get_array()[i].if_object();
      if (!d)
        return invalid_argument(where + ": demo " + std::to_string(i + 1) + " is not an object");
      p.demos.push_back(*d);
    }
  }
  if (is_react(p))
    p.not_runnable =
        "a ReAct tool loop (it calls tools between LM turns); run its `extract` predictor instead";
  return p;
}

std::string field_list(const std::vector<SavedField>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i].prefix;
  return out;
}

}  // namespace

Result<Program> Program::from_json(const json::value& doc, const std::string& source) {
  const auto* o = doc.if_object();
  if (!o) return invalid_argument(source + ": a DSPy program is a JSON object of predictors");
  Program prog;
  for (const auto& kv : *o) {
    std::string name(kv.key());
    if (name == "metadata") {
      if (const auto* m = kv.value().if_object()) prog.metadata_ = *m;
      continue;
    }
    auto p = predictor_from_json(name, kv.value(), source);
    if (!p) return p.status();
    prog.predictors_.push_back(std::move(*p));
  }
  if (prog.predictors_.empty()) return invalid_argument(source + ": no predictors in the program");
  return prog;
}

Result<Program> Program::load_file(const std::filesystem::path& file) {
  auto content = read_input_file(file);
  if (!content) return invalid_argument(content.message);
  auto doc = parse_json(content.data);
  if (!doc) return invalid_argument(file.string() + ": " + doc.status().message());
  return from_json(*doc, file.string());
}

Program Program::from_signature(const Signature& sig, const std::vector<Example>& demos,
                                const std::string& predictor_name) {
  Program prog;
  Predictor p;
  p.name = predictor_name;
  p.instructions = sig.instructions;
  for (const auto* list : {&sig.inputs, &sig.outputs})
    for (const auto& f : *list) p.fields.push_back({f.prefix, f.desc});
  p.demos = demos;
  p.state = json::object{{"traces", json::array{}},
                         {"train", json::array{}},
                         {"demos", json::array{}},
                         {"signature", json::object{}},
                         {"lm", nullptr}};
  prog.predictors_.push_back(std::move(p));
  return prog;
}

json::value Program::to_json() const {
  json::object doc;
  for (const auto& p : predictors_) {
    json::object state = p.state;
    json::array demos;
    for (const auto& d : p.demos) demos.push_back(d);
    json::array fields;
    for (const auto& f : p.fields)
      fields.push_back(json::object{{"prefix", f.prefix}, {"description", f.description}});
    state["demos"] = std::move(demos);
    state["signature"] =
        json::object{{"instructions", p.instructions}, {"fields", std::move(fields)}};
    if (!state.contains("lm")) state["lm"] = nullptr;
    doc[p.name] = std::move(state);
  }
  // DSPy's load() compares each key of dependency_versions with its own environment, and only
  // knows python, dspy and cloudpickle: so we name the DSPy format we follow and nothing else.
  doc["metadata"] = json::object{{"dependency_versions", json::object{{"dspy", kDspyVersion}}}};
  return doc;
}

Status Program::save_file(const std::filesystem::path& file) const {
  return write_file_atomically(file, python_json_dumps(to_json(), 2) + "\n");
}

const Predictor* Program::find(std::string_view name) const {
  for (const auto& p : predictors_)
    if (p.name == name) return &p;
  return nullptr;
}

Result<const Predictor*> choose_predictor(const Program& program, const std::string& name) {
  std::string names;
  for (const auto& p : program.predictors())
    names +=
        (names.empty() ? "" : ", ") + p.name + (p.not_runnable.empty() ? "" : " (not runnable)");
  if (!name.empty()) {
    const auto* p = program.find(name);
    if (!p)
      return invalid_argument("no predictor '" + name + "' in the program (it has: " + names + ")");
    if (!p->not_runnable.empty())
      return failed_precondition("predictor '" + name +
                                 "' is not runnable here: " + p->not_runnable);
    return p;
  }
  const Predictor* only = nullptr;
  int runnable = 0;
  for (const auto& p : program.predictors()) {
    if (!p.not_runnable.empty()) continue;
    ++runnable;
    only = &p;
  }
  if (runnable == 1) return only;
  if (runnable == 0)
    return failed_precondition("the program has no runnable predictor (it has: " + names + ")");
  return invalid_argument(
      "the program has several predictors; choose one with --predictor (it has: " + names + ")");
}

Result<BoundPredictor> bind_predictor(const Predictor& p, const Signature& step_signature,
                                      bool chain_of_thought) {
  if (!p.not_runnable.empty())
    return failed_precondition("predictor '" + p.name +
                               "' is not runnable here: " + p.not_runnable);
  Signature sig = chain_of_thought ? with_reasoning(step_signature) : step_signature;
  bool cot = has_reasoning(sig);
  // A ChainOfThought predictor saved by DSPy has one field more: its reasoning, right after the
  // inputs. Bind it to a plain signature by adding DSPy's reasoning field.
  if (!cot && p.fields.size() == sig.field_count() + 1) {
    const auto& extra = p.fields[sig.inputs.size()];
    if (extra.prefix.rfind("Reasoning", 0) == 0 || extra.description == "${reasoning}") {
      sig = with_reasoning(sig);
      cot = true;
    }
  }
  if (p.fields.size() != sig.field_count())
    return invalid_argument("predictor '" + p.name + "' has " + std::to_string(p.fields.size()) +
                            " fields (" + field_list(p.fields) + ") but the step's signature has " +
                            std::to_string(sig.field_count()) + " (" + sig.to_string() +
                            "); DSPy saves fields by position, so the counts must match");
  std::size_t i = 0;
  for (auto* list : {&sig.inputs, &sig.outputs}) {
    for (auto& f : *list) {
      f.prefix = p.fields[i].prefix;
      f.desc = p.fields[i].description;
      ++i;
    }
  }
  sig.instructions = p.instructions;
  return BoundPredictor{std::move(sig), p.demos, p.name, cot};
}

}  // namespace pipeline::dspy
