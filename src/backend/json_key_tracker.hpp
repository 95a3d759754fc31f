// The half that the backends' Boost.JSON SAX handlers share: the parser callbacks, and the key at
// each nesting level, so that a handler only says which values it keeps (ollama_line_parser.cpp,
// openai_chunk_parser.cpp). Header-only: every callback is inlined into the parser, as before.
#pragma once

#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace yollayah::backend::json_sax {

template <class Field>
struct FieldName {
  std::string_view key;
  Field field;
};

// The field a key names, or `other` for a key nobody reads. The tables are a dozen entries long:
// a linear scan beats hashing them.
template <class Field, std::size_t N>
Field classify(std::string_view key, const std::array<FieldName<Field>, N>& table, Field other) {
  for (const auto& e : table) {
    if (e.key == key) return e.field;
  }
  return other;
}

// A non-negative JSON number as a count; past 2^64 the cast would be undefined, so it saturates.
inline std::uint64_t saturating_count(double v) {
  return v < 0x1p64 ? static_cast<std::uint64_t>(v) : std::numeric_limits<std::uint64_t>::max();
}

// The SAX callbacks of json::basic_parser<Derived>. It keeps keys[d], the Field of the key whose
// value is being read at depth d (depth 1 is the top-level object's members), for the first
// `Tracked` levels. Derived is called back (statically; each hook has a do-nothing default here) with:
//   reset()                     a new document begins: clear the output
//   object_begins(), array_begins(), value_begins()
//                               before the depth moves, keys[depth] still naming the member
//   std::string* string_target()   where the current string goes, or nullptr to drop it
//   integer(std::uint64_t), number(double)   a non-negative number (NaN and negatives dropped)
//   boolean(bool)
// and must provide `static Field classify(std::string_view key)`.
template <class Derived, class Field, std::size_t Tracked>
struct KeyTracker {
  using error_code = boost::system::error_code;

  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t kTracked = Tracked;

  std::array<Field, Tracked> keys{};
  std::size_t depth = 0;
  bool top_is_object = false;  // the document is an object (a bare string or number is not a chunk)
  std::string key_buf;         // a key split across write_some() calls

  // The default hooks.
  void reset() {}
  void object_begins() {}
  void array_begins() {}
  void value_begins() {}
  std::string* string_target() { return nullptr; }
  void integer(std::uint64_t) {}
  void number(double) {}
  void boolean(bool) {}

  bool on_document_begin(error_code&) {
    depth = 0;
    top_is_object = false;
    key_buf.clear();
    self().reset();
    return true;
  }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    if (depth == 0) top_is_object = true;
    self().object_begins();
    self().value_begins();
    open();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    --depth;
    return true;
  }
  bool on_array_begin(error_code&) {
    self().array_begins();
    self().value_begins();
    open();
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    --depth;
    return true;
  }
  bool on_key_part(std::string_view s, std::size_t, error_code&) {
    key_buf.append(s);
    return true;
  }
  bool on_key(std::string_view s, std::size_t, error_code&) {
    Field f;
    if (key_buf.empty()) {
      f = Derived::classify(s);
    } else {
      key_buf.append(s);
      f = Derived::classify(key_buf);
      key_buf.clear();
    }
    if (depth < Tracked) keys[depth] = f;
    return true;
  }
  bool on_string_part(std::string_view s, std::size_t, error_code&) {
    if (auto* t = self().string_target()) t->append(s);
    return true;
  }
  // Scalars announce themselves when they end, which is as good: nothing nests in them.
  bool on_string(std::string_view s, std::size_t n, error_code& ec) {
    self().value_begins();
    return on_string_part(s, n, ec);
  }
  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t v, std::string_view, error_code&) {
    self().value_begins();
    if (v >= 0) self().integer(static_cast<std::uint64_t>(v));
    return true;
  }
  bool on_uint64(std::uint64_t v, std::string_view, error_code&) {
    self().value_begins();
    self().integer(v);
    return true;
  }
  bool on_double(double v, std::string_view, error_code&) {
    self().value_begins();
    if (v >= 0) self().number(v);  // false for NaN too (Boost.JSON reads 0e309 as 0 * inf)
    return true;
  }
  bool on_bool(bool v, error_code&) {
    self().value_begins();
    self().boolean(v);
    return true;
  }
  bool on_null(error_code&) {
    self().value_begins();
    return true;
  }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  void open() {
    ++depth;
    if (depth < Tracked) keys[depth] = Field::None;
  }
};

}  // namespace yollayah::backend::json_sax
