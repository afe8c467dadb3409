// A self-contained SVG line chart of training loss (and validation loss
// points) per step, written beside an adapter. Pure function; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace t2sql::train {

std::string loss_curve_svg(const std::vector<std::pair<int, double>>& train,
                           const std::vector<std::pair<int, double>>& valid, const std::string& title);

}  // namespace t2sql::train
