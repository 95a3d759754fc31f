// Encoder: walks the described structs and enums with Boost.Describe, so each message type needs
// no code of its own. Only the six enums that carry data are written by hand.
#include "protocol/json_codec.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/codec_traits.hpp"
#include "protocol/wire_names.hpp"

#include <boost/describe.hpp>
#include <boost/mp11/algorithm.hpp>

#include <optional>
#include <type_traits>
#include <vector>

namespace yollayah::protocol {

namespace {

namespace describe = boost::describe;
using detail::is_optional;
using detail::is_vector;
using json::write_string;

template <class T>
void write_value(std::string& out, const T& value);

// `"Name"` for a unit variant, otherwise `{"Name":` (the caller writes the payload and the `}`).
void open_variant(std::string& out, std::string_view name) {
  out.append("{\"");
  out.append(name);
  out.append("\":");
}

// `{"field":value}`: an enum variant whose payload is a struct with one field.
template <class T>
void write_single_field_variant(std::string& out, std::string_view name, std::string_view field,
                                const T& value) {
  open_variant(out, name);
  out.append("{\"");
  out.append(field);
  out.append("\":");
  write_value(out, value);
  out.append("}}");
}

void write_data_enum(std::string& out, const ContentType& v) {
  const std::string_view name = wire::name_of(v.kind);
  if (v.kind == ContentType::Kind::Code) {
    write_single_field_variant(out, name, "language", v.language);
  } else {
    write_string(out, name);
  }
}

void write_data_enum(std::string& out, const SurfaceType& v) {
  const std::string_view name = wire::name_of(v.kind);
  if (v.kind == SurfaceType::Kind::Custom) {
    open_variant(out, name);
    write_string(out, v.custom);
    out.push_back('}');
  } else {
    write_string(out, name);
  }
}

void write_data_enum(std::string& out, const AvatarPosition& v) {
  const std::string_view name = wire::name_of(v.kind);
  if (v.kind == AvatarPosition::Kind::Percent) {
    open_variant(out, name);
    out.append("{\"x\":");
    json::write_u64(out, v.x);
    out.append(",\"y\":");
    json::write_u64(out, v.y);
    out.append("}}");
  } else {
    write_string(out, name);
  }
}

void write_data_enum(std::string& out, const AvatarGesture& v) {
  const std::string_view name = wire::name_of(v.kind);
  if (v.kind == AvatarGesture::Kind::Peek) {
    open_variant(out, name);
    write_value(out, v.peek);
    out.push_back('}');
  } else {
    write_string(out, name);
  }
}

void write_data_enum(std::string& out, const ConversationState& v) {
  const std::string_view name = wire::name_of(v.kind);
  const std::string_view field = wire::field_of(v.kind);
  if (field.empty()) {
    write_string(out, name);
  } else {
    write_single_field_variant(out, name, field, v.text);
  }
}

void write_data_enum(std::string& out, const LayoutDirective& v) {
  using K = LayoutDirective::Kind;
  const std::string_view name = wire::name_of(v.kind);
  switch (v.kind) {
    case K::ShowPanel:
    case K::HidePanel: write_single_field_variant(out, name, "panel", v.panel); break;
    case K::ScrollToMessage: write_single_field_variant(out, name, "message_id", v.id); break;
    case K::ScrollToTask: write_single_field_variant(out, name, "task_id", v.id); break;
    case K::FocusInput:
    case K::ToggleDeveloperMode: write_string(out, name); break;
  }
}

template <class S>
void write_fields(std::string& out, const S& s) {
  bool first = true;
  boost::mp11::mp_for_each<describe::describe_members<S, describe::mod_public>>([&](auto member) {
    using F = std::remove_cvref_t<decltype(s.*member.pointer)>;
    if constexpr (detail::is_extension<F>::value) {
      if (!(s.*member.pointer)) return;  // an absent extension is not on the wire at all
    }
    out.append(first ? "{\"" : ",\"");
    first = false;
    out.append(member.name);
    out.append("\":");
    write_value(out, s.*member.pointer);
  });
  out.push_back('}');
}

template <class T>
void write_value(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    write_string(out, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    json::write_bool(out, value);
  } else if constexpr (std::is_same_v<T, float>) {
    json::write_f32(out, value);
  } else if constexpr (std::is_unsigned_v<T>) {
    json::write_u64(out, value);
  } else if constexpr (is_optional<T>::value) {
    if (value) write_value(out, *value);
    else json::write_null(out);
  } else if constexpr (is_vector<T>::value) {
    out.push_back('[');
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i != 0) out.push_back(',');
      write_value(out, value[i]);
    }
    out.push_back(']');
  } else if constexpr (describe::has_describe_enumerators<T>::value) {
    write_string(out, wire::enum_name(value));
  } else if constexpr (describe::has_describe_members<T>::value) {
    write_fields(out, value);
  } else {
    write_data_enum(out, value);
  }
}

// A message or event: a bare string for a unit variant, else {"Name":{fields}}.
template <class Variant>
void write_variant(std::string& out, const Variant& v) {
  std::visit(
      [&out](const auto& alt) {
        using Alt = std::decay_t<decltype(alt)>;
        if constexpr (wire::is_unit_variant<Alt>) {
          write_string(out, Alt::kName);
        } else {
          open_variant(out, Alt::kName);
          write_fields(out, alt);
          out.push_back('}');
        }
      },
      v);
}

}  // namespace

void encode_into(std::string& out, const ConductorMessage& message) { write_variant(out, message); }
void encode_into(std::string& out, const SurfaceEvent& event) { write_variant(out, event); }

std::string encode(const ConductorMessage& message) {
  std::string out;
  encode_into(out, message);
  return out;
}

std::string encode(const SurfaceEvent& event) {
  std::string out;
  encode_into(out, event);
  return out;
}

}  // namespace yollayah::protocol
