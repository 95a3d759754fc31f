#include "conductor/errors.hpp"

namespace yollayah::conductor {

namespace {

// What the user can do about a failure of this kind when the backend had no advice of its own
// (the backends know their own remedies: `ollama serve`, `ollama pull`, api_key_env).
std::string generic_remedy(const backend::BackendError& e) {
  using Kind = backend::BackendError::Kind;
  switch (e.kind) {
    case Kind::Unreachable:
      return "Check that the model server runs at that address, or try the simulated model: ./yollayah.sh demo";
    case Kind::Timeout:
      return "The model server at " + e.url + " stopped answering; check that it is not overloaded, then try again.";
    case Kind::Protocol: return "Try again.";
    default: return {};
  }
}

}  // namespace

std::string describe_backend_error(const backend::BackendError& e, const std::string& model) {
  using Kind = backend::BackendError::Kind;
  switch (e.kind) {
    case Kind::Cancelled: return "cancelled";
    case Kind::Server: return "the model server reported: " + e.message;
    case Kind::Http:
      if (e.http_status == 404) {
        // The backend knows how to get a model (`ollama pull`); any model can be switched.
        const std::string get = e.advice.empty() ? "" : " " + e.advice;
        return e.message + "." + get + " Or choose another with /model NAME (see /models).";
      }
      if (!e.advice.empty()) return e.message + ". " + e.advice;
      return e.message + " (HTTP " + std::to_string(e.http_status) + " from " + e.url + ")";
    default: break;
  }
  (void)model;
  const std::string remedy = e.advice.empty() ? generic_remedy(e) : e.advice;
  std::string text = e.message;
  if (e.kind == Kind::Protocol && !e.url.empty()) text += " (from " + e.url + ")";
  return remedy.empty() ? text : text + ". " + remedy;
}

}  // namespace yollayah::conductor
