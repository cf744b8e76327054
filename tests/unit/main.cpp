// The one translation unit that holds the CAF test runner's main().
#include <caf/test/unit_test_impl.hpp>
