// Decoder: UTF-8 check, Boost.JSON parse into a DOM on a stack arena, then a walk over the
// described structs that mirrors the encoder. Every failure becomes a ProtocolError that names the
// field path; nothing throws out of decode_message/decode_event.
#include "protocol/json_codec.hpp"
#include "protocol/utf8.hpp"
#include "protocol/codec_traits.hpp"
#include "protocol/wire_names.hpp"

#include <boost/describe.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

namespace yollayah::protocol {

namespace {

namespace bj = boost::json;
namespace describe = boost::describe;
using detail::is_optional;
using detail::is_vector;
using Kind = ProtocolError::Kind;

// Where in the message a value sits, as a chain of stack frames; rendered only on error.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;  // a field or variant name; unused for array elements
  std::size_t index = kNoIndex;
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
};

void render(const Path& p, std::string& out) {
  if (p.parent != nullptr) render(*p.parent, out);
  if (p.index != Path::kNoIndex) {
    out += '[';
    out += std::to_string(p.index);
    out += ']';
  } else {
    if (p.parent != nullptr) out += '.';
    out += p.name;
  }
}

struct Ctx {
  ProtocolError error;
};

std::string_view sv(const bj::string& s) { return {s.data(), s.size()}; }

bool fail(Ctx& c, Kind kind, const Path& path, std::string_view detail) {
  c.error.kind = kind;
  c.error.offset = 0;
  c.error.message.clear();
  render(path, c.error.message);
  c.error.message += ": ";
  c.error.message += detail;
  return false;
}

// A name taken from the input, quoted for an error message: cut short (still valid UTF-8) and
// with control characters replaced, so the message stays one printable line.
std::string quoted(std::string_view name) {
  constexpr std::size_t kMax = 64;
  std::string out = "\"";
  for (const char ch : utf8_prefix(name, kMax)) {
    const auto u = static_cast<unsigned char>(ch);
    out += (u < 0x20 || u == 0x7f) ? '?' : ch;
  }
  if (name.size() > kMax) out += "...";
  out += '"';
  return out;
}

std::string json_kind(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return "null";
    case bj::kind::bool_: return "bool";
    case bj::kind::int64: return std::to_string(v.get_int64());
    case bj::kind::uint64: return std::to_string(v.get_uint64());
    case bj::kind::double_: {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
      return std::string(buf, r.ptr);
    }
    case bj::kind::string: return "string";
    case bj::kind::array: return "array";
    case bj::kind::object: return "object";
  }
  return "value";
}

bool wrong_type(Ctx& c, const Path& path, std::string_view expected, const bj::value& got) {
  std::string detail = "expected ";
  detail += expected;
  detail += ", got ";
  detail += json_kind(got);
  return fail(c, Kind::WrongType, path, detail);
}

bool unknown_variant(Ctx& c, const Path& path, std::string_view name) {
  return fail(c, Kind::UnknownVariant, path, "unknown variant " + quoted(name));
}

template <class T>
bool read_value(const bj::value& v, T& out, const Path& path, Ctx& c);

// An enum variant as serde writes it: `"Name"` (unit) or `{"Name":payload}`.
struct Tagged {
  std::string_view name;
  const bj::value* payload = nullptr;  // null for the bare-string form
};

bool read_tagged(const bj::value& v, Tagged& t, const Path& path, Ctx& c) {
  if (v.is_string()) {
    t.name = sv(v.get_string());
    t.payload = nullptr;
    return true;
  }
  if (v.is_object() && v.get_object().size() == 1) {
    const auto& entry = *v.get_object().begin();
    t.name = std::string_view(entry.key().data(), entry.key().size());
    t.payload = &entry.value();
    return true;
  }
  return wrong_type(c, path, "a variant name or an object with one key", v);
}

// serde accepts a unit variant both as "Name" and as {"Name":null}.
bool expect_unit(const Tagged& t, const Path& path, Ctx& c) {
  if (t.payload == nullptr || t.payload->is_null()) return true;
  const Path at{&path, t.name};
  return wrong_type(c, at, "null (a unit variant)", *t.payload);
}

// The payload of a newtype variant such as {"Custom":"name"} or {"Peek":"Left"}.
template <class T>
bool read_newtype(const Tagged& t, T& out, const Path& path, Ctx& c) {
  if (t.payload == nullptr) {
    return fail(c, Kind::WrongType, path, "variant " + quoted(t.name) + " needs a value");
  }
  const Path at{&path, t.name};
  return read_value(*t.payload, out, at, c);
}

// One field of a struct variant such as {"Code":{"language":"cpp"}}.
template <class T>
bool read_variant_field(const Tagged& t, std::string_view field, T& out, const Path& path, Ctx& c) {
  const Path at{&path, t.name};
  if (t.payload == nullptr) {
    return fail(c, Kind::WrongType, path, "variant " + quoted(t.name) + " needs an object");
  }
  if (!t.payload->is_object()) return wrong_type(c, at, "object", *t.payload);
  const bj::value* value = t.payload->get_object().if_contains(field);
  if (value == nullptr) {
    return fail(c, Kind::MissingField, at, "missing field \"" + std::string(field) + '"');
  }
  const Path field_path{&at, field};
  return read_value(*value, out, field_path, c);
}

template <class Kind_, std::size_t N>
bool read_kind(const std::array<std::string_view, N>& names, const Tagged& t, Kind_& out,
               const Path& path, Ctx& c) {
  return wire::kind_from_name(names, t.name, out) || unknown_variant(c, path, t.name);
}

bool read_data_enum(const bj::value& v, ContentType& out, const Path& path, Ctx& c) {
  Tagged t;
  if (!read_tagged(v, t, path, c) || !read_kind(wire::kContentTypeNames, t, out.kind, path, c)) {
    return false;
  }
  if (out.kind == ContentType::Kind::Code) return read_variant_field(t, "language", out.language, path, c);
  return expect_unit(t, path, c);
}

bool read_data_enum(const bj::value& v, SurfaceType& out, const Path& path, Ctx& c) {
  Tagged t;
  if (!read_tagged(v, t, path, c) || !read_kind(wire::kSurfaceTypeNames, t, out.kind, path, c)) {
    return false;
  }
  if (out.kind == SurfaceType::Kind::Custom) return read_newtype(t, out.custom, path, c);
  return expect_unit(t, path, c);
}

bool read_data_enum(const bj::value& v, AvatarPosition& out, const Path& path, Ctx& c) {
  Tagged t;
  if (!read_tagged(v, t, path, c) || !read_kind(wire::kAvatarPositionNames, t, out.kind, path, c)) {
    return false;
  }
  if (out.kind == AvatarPosition::Kind::Percent) {
    return read_variant_field(t, "x", out.x, path, c) && read_variant_field(t, "y", out.y, path, c);
  }
  return expect_unit(t, path, c);
}

bool read_data_enum(const bj::value& v, AvatarGesture& out, const Path& path, Ctx& c) {
  Tagged t;
  if (!read_tagged(v, t, path, c) || !read_kind(wire::kAvatarGestureNames, t, out.kind, path, c)) {
    return false;
  }
  if (out.kind == AvatarGesture::Kind::Peek) return read_newtype(t, out.peek, path, c);
  return expect_unit(t, path, c);
}

bool read_data_enum(const bj::value& v, ConversationState& out, const Path& path, Ctx& c) {
  Tagged t;
  if (!read_tagged(v, t, path, c) ||
      !read_kind(wire::kConversationStateNames, t, out.kind, path, c)) {
    return false;
  }
  const std::string_view field = wire::field_of(out.kind);
  if (field.empty()) return expect_unit(t, path, c);
  return read_variant_field(t, field, out.text, path, c);
}

bool read_data_enum(const bj::value& v, LayoutDirective& out, const Path& path, Ctx& c) {
  using K = LayoutDirective::Kind;
  Tagged t;
  if (!read_tagged(v, t, path, c) || !read_kind(wire::kLayoutDirectiveNames, t, out.kind, path, c)) {
    return false;
  }
  switch (out.kind) {
    case K::ShowPanel:
    case K::HidePanel: return read_variant_field(t, "panel", out.panel, path, c);
    case K::ScrollToMessage: return read_variant_field(t, "message_id", out.id, path, c);
    case K::ScrollToTask: return read_variant_field(t, "task_id", out.id, path, c);
    case K::FocusInput:
    case K::ToggleDeveloperMode: break;
  }
  return expect_unit(t, path, c);
}

template <class E>
bool read_enum(const bj::value& v, E& out, const Path& path, Ctx& c) {
  Tagged t;
  if (!read_tagged(v, t, path, c)) return false;
  if (!wire::enum_from_name(t.name, out)) return unknown_variant(c, path, t.name);
  return expect_unit(t, path, c);
}

template <class T>
bool read_unsigned(const bj::value& v, T& out, const Path& path, Ctx& c) {
  constexpr std::string_view type = sizeof(T) == 1 ? "u8" : sizeof(T) == 4 ? "u32" : "u64";
  std::uint64_t u = 0;
  if (v.is_uint64()) {
    u = v.get_uint64();
  } else if (v.is_int64() && v.get_int64() >= 0) {
    u = static_cast<std::uint64_t>(v.get_int64());
  } else {
    return wrong_type(c, path, type, v);
  }
  if (u > std::numeric_limits<T>::max()) return wrong_type(c, path, type, v);
  out = static_cast<T>(u);
  return true;
}

// serde_json reads an f32 from any JSON number, through f64. A number beyond the f32 range would
// become infinity, which the encoder writes as null: reject it instead of changing its meaning.
bool read_f32(const bj::value& v, float& out, const Path& path, Ctx& c) {
  switch (v.kind()) {
    case bj::kind::double_: out = static_cast<float>(v.get_double()); break;
    case bj::kind::int64: out = static_cast<float>(v.get_int64()); break;
    case bj::kind::uint64: out = static_cast<float>(v.get_uint64()); break;
    default: return wrong_type(c, path, "f32", v);
  }
  return std::isfinite(out) || wrong_type(c, path, "f32", v);
}

// Fields that may be missing on the wire: optionals, content_type (Plain), and every field of
// ResponseMetadata. The target is freshly constructed, so "missing" just leaves the default.
template <class S, class F>
constexpr bool may_be_missing() {
  return is_optional<F>::value || std::is_same_v<F, ContentType> ||
         std::is_same_v<S, ResponseMetadata>;
}

template <class S>
bool read_fields(const bj::object& obj, S& out, const Path& path, Ctx& c) {
  bool ok = true;
  boost::mp11::mp_for_each<describe::describe_members<S, describe::mod_public>>([&](auto member) {
    if (!ok) return;
    using F = std::remove_cvref_t<decltype(out.*member.pointer)>;
    const bj::value* value = obj.if_contains(member.name);
    if (value == nullptr) {
      if constexpr (!may_be_missing<S, F>()) {
        ok = fail(c, Kind::MissingField, path,
                  std::string("missing field \"") + member.name + '"');
      }
      return;
    }
    const Path field_path{&path, member.name};
    ok = read_value(*value, out.*member.pointer, field_path, c);
  });
  return ok;
}

template <class T>
bool read_value(const bj::value& v, T& out, const Path& path, Ctx& c) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return wrong_type(c, path, "string", v);
    out.assign(v.get_string().data(), v.get_string().size());
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_bool()) return wrong_type(c, path, "bool", v);
    out = v.get_bool();
    return true;
  } else if constexpr (std::is_same_v<T, float>) {
    return read_f32(v, out, path, c);
  } else if constexpr (std::is_unsigned_v<T>) {
    return read_unsigned(v, out, path, c);
  } else if constexpr (is_optional<T>::value) {
    if (v.is_null()) {
      out.reset();
      return true;
    }
    return read_value(v, out.emplace(), path, c);
  } else if constexpr (is_vector<T>::value) {
    if (!v.is_array()) return wrong_type(c, path, "array", v);
    const bj::array& arr = v.get_array();
    out.clear();
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const Path elem{&path, {}, i};
      if (!read_value(arr[i], out.emplace_back(), elem, c)) return false;
    }
    return true;
  } else if constexpr (describe::has_describe_enumerators<T>::value) {
    return read_enum(v, out, path, c);
  } else if constexpr (describe::has_describe_members<T>::value) {
    if (!v.is_object()) return wrong_type(c, path, "object", v);
    return read_fields(v.get_object(), out, path, c);
  } else {
    return read_data_enum(v, out, path, c);
  }
}

template <class Variant>
bool read_variant(const bj::value& v, Variant& out, std::string_view family, Ctx& c) {
  const Path root{nullptr, family};
  Tagged t;
  if (!read_tagged(v, t, root, c)) return false;
  bool found = false;
  bool ok = false;
  boost::mp11::mp_for_each<boost::mp11::mp_iota_c<std::variant_size_v<Variant>>>([&](auto I) {
    using Alt = std::variant_alternative_t<I, Variant>;
    if (found || t.name != Alt::kName) return;
    found = true;
    [[maybe_unused]] auto& alt = out.template emplace<I>();
    if constexpr (wire::is_unit_variant<Alt>) {
      ok = expect_unit(t, root, c);
    } else {
      const Path path{nullptr, Alt::kName};
      if (t.payload == nullptr) {
        ok = fail(c, Kind::WrongType, path, "expected an object of fields, got a bare variant name");
      } else if (!t.payload->is_object()) {
        ok = wrong_type(c, path, "object", *t.payload);
      } else {
        ok = read_fields(t.payload->get_object(), alt, path, c);
      }
    }
  });
  if (!found) return unknown_variant(c, root, t.name);
  return ok;
}

template <class Variant>
ProtoResult<Variant> decode(std::string_view json, std::string_view family) {
  if (const std::size_t bad = find_invalid_utf8(json); bad != kValidUtf8) {
    return ProtocolError{Kind::InvalidUtf8, "invalid UTF-8 at byte " + std::to_string(bad), bad};
  }
  try {
    // Most messages fit the stack arena; bigger ones spill to the heap.
    unsigned char arena[4096];
    unsigned char parser_stack[1024];
    bj::monotonic_resource mr(arena, sizeof arena);
    bj::parse_options options;
    options.max_depth = 64;
    bj::parser parser(bj::storage_ptr(), options, parser_stack, sizeof parser_stack);
    parser.reset(&mr);
    boost::system::error_code ec;
    const std::size_t consumed = parser.write(json.data(), json.size(), ec);
    if (ec) {
      return ProtocolError{Kind::InvalidJson,
                           "invalid JSON at byte " + std::to_string(consumed) + ": " + ec.message(),
                           consumed};
    }
    const bj::value root = parser.release();
    Variant out;
    Ctx c;
    if (!read_variant(root, out, family, c)) return std::move(c.error);
    return out;
  } catch (const std::exception& e) {  // std::bad_alloc from a huge document
    return ProtocolError{Kind::InvalidJson, std::string("cannot decode: ") + e.what(), 0};
  }
}

}  // namespace

ProtoResult<ConductorMessage> decode_message(std::string_view json) {
  return decode<ConductorMessage>(json, "ConductorMessage");
}

ProtoResult<SurfaceEvent> decode_event(std::string_view json) {
  return decode<SurfaceEvent>(json, "SurfaceEvent");
}

}  // namespace yollayah::protocol
