// Control-flow step types: for_loop, while_loop, pipeline (nested).
#include "loops.hpp"

PIPELINE_PLUGIN("control_steps", "1.0.0",
                "Control-flow step types: for_loop, while_loop, pipeline") {
  using namespace control_steps;
  r.add_step<ForLoopStep>("for_loop", "1.0.0", PL_FLAG_CONCURRENT,
                          "Runs sub-steps for every item of a list, optionally in parallel");
  r.add_step<WhileLoopStep>("while_loop", "1.0.0", PL_FLAG_CONCURRENT,
                            "Runs sub-steps while a condition holds, up to max_iterations");
  r.add_step<NestedPipelineStep>("pipeline", "1.0.0", PL_FLAG_CONCURRENT,
                                 "Runs another workflow (file or inline) as one step");
}
