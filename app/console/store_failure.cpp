// The answer when a page's data could not be read from the store.
#include "console/console.h"

namespace airlock::console {

http::Response unreadable_page(Deps& d, const guard::Principal& who, const std::string& request_id) {
  return d.render.message(500, "Something went wrong",
                          "This page could not be read from the store. Nothing was changed; try again in a moment.",
                          {.title = "Error", .who = &who}, request_id);
}

}  // namespace airlock::console
