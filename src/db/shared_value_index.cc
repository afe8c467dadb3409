#include "db/shared_value_index.h"

#include <map>
#include <mutex>

#include "db/value_index.h"

namespace t2sql {

namespace {

struct Slot {
  std::mutex building;                    // held while this database's index is read
  std::weak_ptr<const ValueIndex> index;  // guarded by building
};

std::mutex g_slots_mutex;
std::map<uint64_t, std::shared_ptr<Slot>> g_slots;  // guarded by g_slots_mutex

std::shared_ptr<Slot> slot_for(uint64_t key) {
  std::lock_guard<std::mutex> lock(g_slots_mutex);
  // Slots whose index is gone go, so that a long-running process that opens
  // many databases keeps only the live ones.
  for (auto it = g_slots.begin(); it != g_slots.end();) {
    bool idle = it->first != key && it->second.use_count() == 1 && it->second->building.try_lock();
    if (idle) {
      bool gone = it->second->index.expired();
      it->second->building.unlock();
      if (gone) {
        it = g_slots.erase(it);
        continue;
      }
    }
    ++it;
  }
  auto& slot = g_slots[key];
  if (!slot) slot = std::make_shared<Slot>();
  return slot;
}

}  // namespace

Result<std::shared_ptr<const ValueIndex>> shared_value_index(Database& db, const Catalog& catalog,
                                                             const ValueIndexOptions& options) {
  std::shared_ptr<Slot> slot = slot_for(value_index_fingerprint(db, catalog, options));
  std::lock_guard<std::mutex> lock(slot->building);
  if (auto live = slot->index.lock()) return live;
  auto built = ValueIndex::build(db, catalog, options);
  if (!built.ok()) return built.status();
  auto index = std::make_shared<const ValueIndex>(std::move(*built));
  slot->index = index;
  return index;
}

std::shared_ptr<const ValueIndex> empty_value_index() {
  static const auto empty = std::make_shared<const ValueIndex>();
  return empty;
}

}  // namespace t2sql
