#pragma once
// Whole (non-stream) answers and error bodies between the dialects, the other half of request.h:
// the client gets the answer in the dialect it asked in. Never throws on what an upstream sends:
// a field of the wrong type counts as absent.
//
// Stop reasons: Anthropic end_turn, stop_sequence, pause_turn → OpenAI stop; max_tokens and
// model_context_window_exceeded → length; tool_use → tool_calls; refusal → content_filter. And back:
// stop → end_turn, length → max_tokens, tool_calls and function_call → tool_use, content_filter →
// refusal. Usage: Anthropic input + cache read + cache write tokens are OpenAI's prompt_tokens, the
// cache reads its prompt_tokens_details.cached_tokens; back, cached_tokens become
// cache_read_input_tokens and the rest input_tokens.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace airlock::translate {

std::string openai_finish_reason(std::string_view anthropic_stop_reason);
std::string anthropic_stop_reason(std::string_view openai_finish_reason);

// Anthropic usage object → OpenAI usage object, and back.
nlohmann::json openai_usage(const nlohmann::json& anthropic_usage);
nlohmann::json anthropic_usage(const nlohmann::json& openai_usage);

// An Anthropic message → an OpenAI chat.completion (`created`: Unix seconds).
nlohmann::json message_to_completion(const nlohmann::json& message, std::int64_t created);
// An OpenAI chat.completion → an Anthropic message (its first choice; the request asked for one).
nlohmann::json completion_to_message(const nlohmann::json& completion);

// The message of an upstream error body in either dialect ("" when there is none to read).
std::string error_message(const nlohmann::json& body);
// An error body in the client's dialect for an upstream 4xx, with the type the status implies.
std::string openai_error_body(int status, std::string_view message);
std::string anthropic_error_body(int status, std::string_view message);

}  // namespace airlock::translate
