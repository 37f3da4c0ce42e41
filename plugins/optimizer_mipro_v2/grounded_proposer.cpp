#include "grounded_proposer.hpp"

#include <optimizer_common/report.hpp>
#include <optimizer_common/text.hpp>

#include <algorithm>

namespace pipeline::optimizer {

namespace {

// The signatures' instructions are DSPy's docstrings, so a real prompt model reads what DSPy's
// would; the field names are DSPy's, which is what the simulated mock keys on.
constexpr const char* kDescribeData =
    "Given several examples from a dataset please write observations about trends that hold for "
    "most or all of the samples. Some areas you may consider in your observations: topics, "
    "content, syntax, conciseness, etc. It will be useful to make an educated guess as to the "
    "nature of the task this dataset will enable. Don't be afraid to be creative";
constexpr const char* kDescribeDataWithPrior =
    "Given several examples from a dataset please write observations about trends that hold for "
    "most or all of the samples. I will also provide you with a few observations I have already "
    "made.  Please add your own observations or if you feel the observations are comprehensive "
    "say 'COMPLETE' Some areas you may consider in your observations: topics, content, syntax, "
    "conciceness, etc. It will be useful to make an educated guess as to the nature of the task "
    "this dataset will enable. Don't be afraid to be creative";
constexpr const char* kSummarise =
    "Given a series of observations I have made about my dataset, please summarize them into a "
    "brief 2-3 sentence summary which highlights only the most important details.";
constexpr const char* kDescribeProgram =
    "Below is some pseudo-code for a pipeline that solves tasks with calls to language models. "
    "Please describe what type of task this program appears to be designed to solve, and how it "
    "appears to work.";
constexpr const char* kDescribeModule =
    "Below is some pseudo-code for a pipeline that solves tasks with calls to language models. "
    "Please describe the purpose of one of the specified module in this pipeline.";
constexpr const char* kGenerateInstruction =
    "Use the information below to learn about a task that we are trying to solve using calls to "
    "an LM, then generate a new instruction that will be used to prompt a Language Model to "
    "better solve the task.";

std::string out_text(const boost::json::object& outputs, const char* field) {
  if (const auto* v = outputs.if_contains(field)) return trim(value_text(*v));
  return {};
}

const boost::json::array* fields(const Task& task, const char* key) {
  const auto* a = task.signature.if_contains(key);
  return a && a->is_array() ? &a->get_array() : nullptr;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& proposer_tips() {
  static const std::vector<std::pair<std::string, std::string>> tips{
      {"none", ""},
      {"creative", "Don't be afraid to be creative when creating the new instruction!"},
      {"simple", "Keep the instruction clear and concise."},
      {"description", "Make sure your instruction is very informative and descriptive."},
      {"high_stakes",
       "The instruction should include a high stakes scenario in which the LM must solve the "
       "task!"},
      {"persona",
       "Include a persona that is relevant to the task in the instruction (ie. \"You are a ...\")"},
  };
  return tips;
}

std::string task_demos_text(const Task& task, const std::vector<boost::json::array>& sets,
                            std::size_t set_i, std::size_t n) {
  if (set_i == 0 || set_i >= sets.size() || n == 0) return "No task demos provided.";
  std::vector<const boost::json::object*> names;
  for (const char* key : {"inputs", "outputs"})
    if (const auto* a = fields(task, key))
      for (const auto& f : *a)
        if (f.is_object()) names.push_back(&f.get_object());
  std::string text;
  std::size_t count = 0;
  for (std::size_t k = 0; k < sets.size() && count < n; ++k) {
    const auto& set = sets[(set_i + k) % sets.size()];
    for (const auto& d : set) {
      if (count >= n) break;
      const auto* demo = d.if_object();
      if (demo == nullptr || !demo->contains("augmented")) continue;
      std::string example;
      for (const auto* f : names) {
        std::string name;
        if (const auto* nm = f->if_contains("name"); nm && nm->is_string()) name = nm->get_string();
        const auto* v = demo->if_contains(name);
        if (!example.empty()) example += "\n";
        example += field_label(*f) + " " + (v ? one_line(value_text(*v)) : std::string("None"));
      }
      text += example + "\n\n";
      ++count;
    }
  }
  if (trim(text).empty()) return "No task demos provided.";
  return text;
}

std::string GroundedProposer::examples_repr(std::size_t from, std::size_t to) const {
  // DSPy shows the model the repr of its Example objects; ours lists each as JSON with its keys.
  std::string s = "[";
  for (std::size_t i = from; i < to && i < train_.size(); ++i) {
    const TaskExample& ex = task_.trainset[train_[i]];
    std::string keys;
    for (const auto& kv : ex.inputs) keys += (keys.empty() ? "" : ", ") + std::string(kv.key());
    s += (i == from ? "" : ", ") + std::string("Example(") + boost::json::serialize(ex.flat()) +
         ") (input_keys={" + keys + "})";
  }
  return s + "]";
}

void GroundedProposer::summarise_dataset() {
  const std::size_t batch = std::max<std::size_t>(s_.view_data_batch_size, 1);
  RunOptions o;
  o.temperature = 1.0;
  report(host_, {{"stage", "propose"}, {"message", "summarising the training data"}});
  std::string observations =
      out_text(host_.predict("examples -> observations", kDescribeData,
                             {{"examples", examples_repr(0, std::min(train_.size(), batch))}}, o),
               "observations");
  // DSPy's loop: at most 9 more batches, stopping after 5 answers of COMPLETE.
  std::size_t calls = 0, skips = 0;
  for (std::size_t b = batch; b < train_.size(); b += batch) {
    if (++calls >= 10) break;
    std::string more = out_text(
        host_.predict("examples, prior_observations -> observations", kDescribeDataWithPrior,
                      {{"examples", examples_repr(b, std::min(train_.size(), b + batch))},
                       {"prior_observations", observations}},
                      o),
        "observations");
    std::string head = more.substr(0, 8);
    for (auto& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (more.size() >= 8 && head == "COMPLETE") {
      if (++skips >= 5) break;
      continue;
    }
    observations += more;
  }
  summary_ = strip_prefix(out_text(
      host_.predict("observations -> summary", kSummarise, {{"observations", observations}}, o),
      "summary"));
}

std::string GroundedProposer::program_code() const {
  // A pipeline step is one predictor; this is the DSPy program it amounts to.
  std::string code =
      "class StudentSignature(dspy.Signature):\n    \"\"\"" + task_.start.instructions + "\"\"\"\n";
  for (const char* key : {"inputs", "outputs"})
    if (const auto* a = fields(task_, key))
      for (const auto& f : *a) {
        if (!f.is_object()) continue;
        const auto& o = f.get_object();
        std::string name, desc;
        if (const auto* n = o.if_contains("name"); n && n->is_string()) name = n->get_string();
        if (const auto* d = o.if_contains("description"); d && d->is_string())
          desc = d->get_string();
        code += "    " + name + " = dspy." + (std::string(key) == "inputs" ? "Input" : "Output") +
                "Field(desc=" + boost::json::serialize(boost::json::value(desc)) + ")\n";
      }
  code += "\nprogram = dspy.Predict(StudentSignature)\n";
  return code;
}

std::string GroundedProposer::module_code() const {
  auto join = [&](const char* key) {
    std::string s;
    if (const auto* a = fields(task_, key))
      for (const auto& f : *a)
        if (const auto* n = f.is_object() ? f.get_object().if_contains("name") : nullptr;
            n && n->is_string())
          s += (s.empty() ? "" : ", ") + std::string(n->get_string());
    return s;
  };
  return "Predict(" + join("inputs") + ") -> " + join("outputs");
}

void GroundedProposer::describe_program(const std::string& example) {
  report(host_, {{"stage", "propose"}, {"message", "describing the program"}});
  RunOptions o;
  o.temperature = s_.init_temperature;
  program_description_ = strip_prefix(out_text(
      host_.predict("program_code, program_example -> program_description", kDescribeProgram,
                    {{"program_code", program_code()}, {"program_example", example}}, o),
      "program_description"));
  module_description_ =
      out_text(host_.predict("program_code, program_example, program_description, module -> "
                             "module_description",
                             kDescribeModule,
                             {{"program_code", program_code()},
                              {"program_example", example},
                              {"program_description", program_description_},
                              {"module", module_code()}},
                             o),
               "module_description");
  if (program_description_.empty()) program_description_ = "Not available";
  if (module_description_.empty()) module_description_ = "Not provided";
}

std::vector<std::string> GroundedProposer::propose(const std::vector<boost::json::array>& demo_sets,
                                                   std::size_t n) {
  std::vector<std::string> out{task_.start.instructions};
  const bool use_demos = s_.fewshot_aware && !demo_sets.empty();
  // DSPy proposes min(N, number of demo sets) instructions, one per demo set (N without sets).
  const std::size_t count = demo_sets.empty() ? n : std::min(n, demo_sets.size());
  if (count <= 1) return out;
  if (s_.data_aware) summarise_dataset();
  if (s_.program_aware)
    describe_program(use_demos ? task_demos_text(task_, demo_sets, 1, s_.num_demos_in_context)
                               : std::string("No task demos provided."));
  for (std::size_t set_i = 1; set_i < count; ++set_i) {
    std::string tip;
    if (s_.tip_aware) tip = proposer_tips()[rng_.below(proposer_tips().size())].second;
    RunOptions o;
    o.temperature = s_.init_temperature;
    // A fresh rollout per proposal, as DSPy's prompt_model.copy(rollout_id=randint(0, 10**9)).
    o.rollout_id = rng_.uniform(0, 1000000000);
    std::string sig;
    boost::json::object in;
    auto field = [&](const char* name, std::string value) {
      sig += (sig.empty() ? "" : ", ") + std::string(name);
      in[name] = std::move(value);
    };
    if (s_.data_aware) field("dataset_description", summary_);
    if (s_.program_aware) {
      field("program_code", program_code());
      field("program_description", program_description_);
      field("module", module_code());
      field("module_description", module_description_);
    }
    field("task_demos", use_demos
                            ? task_demos_text(task_, demo_sets, set_i, s_.num_demos_in_context)
                            : std::string("No task demos provided."));
    field("basic_instruction", task_.start.instructions);
    if (!tip.empty()) field("tip", tip);
    report(host_, {{"stage", "propose"},
                   {"message", "proposing instruction " + std::to_string(set_i) + " of " +
                                   std::to_string(count - 1)}});
    std::string proposal = strip_prefix(
        out_text(host_.predict(sig + " -> proposed_instruction", kGenerateInstruction, in, o),
                 "proposed_instruction"));
    proposal = trim(proposal);
    if (proposal.empty() || std::find(out.begin(), out.end(), proposal) != out.end()) {
      ++dropped_;
      continue;
    }
    out.push_back(std::move(proposal));
  }
  return out;
}

}  // namespace pipeline::optimizer
