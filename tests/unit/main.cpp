// The one translation unit that holds the CAF test runner's main().
//
// The suites run at -v 4, the only level at which CAF names a failed check
// (file, line, both values); it also names every passed one. Those lines
// ("** file:line expr") are dropped here unless B2K_TEST_SHOW_PASSES is set,
// so that a failure stands out in ctest's output.
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>

#include <cstdlib>
#include <iostream>
#include <streambuf>
#include <string>

namespace {

class drop_passes : public std::streambuf {
public:
  explicit drop_passes(std::streambuf* out) : out_(out) {
  }

  ~drop_passes() override {
    emit();
  }

protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof()))
      return traits_type::not_eof(c);
    line_.push_back(traits_type::to_char_type(c));
    if (c == '\n')
      emit();
    return c;
  }

  int sync() override {
    return out_->pubsync();
  }

private:
  void emit() {
    if (!line_.empty() && !passed_check())
      out_->sputn(line_.data(), static_cast<std::streamsize>(line_.size()));
    line_.clear();
  }

  // The text after the colour codes starts with "** ".
  bool passed_check() const {
    size_t i = 0;
    while (i < line_.size() && line_[i] == '\033') {
      auto m = line_.find('m', i);
      if (m == std::string::npos)
        return false;
      i = m + 1;
    }
    return line_.compare(i, 3, "** ") == 0;
  }

  std::streambuf* out_;
  std::string line_;
};

} // namespace

int main(int argc, char** argv) {
  if (std::getenv("B2K_TEST_SHOW_PASSES") != nullptr)
    return caf::test::main(argc, argv);
  auto original = std::cerr.rdbuf();
  int rc;
  {
    drop_passes filter{original};
    std::cerr.rdbuf(&filter);
    rc = caf::test::main(argc, argv);
    std::cerr.flush();
    std::cerr.rdbuf(original);
  }
  return rc;
}
