#pragma once
// A sync publish's change set, computed by hyperd: per table of the output, the rows inserted
// or changed (sent with upsert) and the keys deleted (sent with delete) since the extract last
// published, or the whole table when it has no key (sent with replace); written as payload
// files no larger than the server takes, each with its actions.

#include "hyperpipe/engine.hpp"
#include "pipeline/run/run_work.hpp"

namespace hyperpipe::pipeline {

Result<ChangeSet> compute_change_set(HyperEngine& engine, const ChangeSetRequest& request);

} // namespace hyperpipe::pipeline
