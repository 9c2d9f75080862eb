// The HTTP messages the API's handlers see, apart from the library that carries them:
// a request with its path, decoded query and headers, and an answer that is either a
// body or a stream of chunks (server-sent events).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wf::api {

using NameValues = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // without the query, still percent-encoded
  NameValues params;   // the query, decoded, in order
  NameValues headers;
  std::string body;
  std::string remote_addr;
  std::vector<std::string> matches;  // the route's {names}, in order, decoded

  bool has_param(std::string_view name) const;
  std::string param(std::string_view name) const;   // the first; "" when absent
  std::string header(std::string_view name) const;  // any case; "" when absent
};

// Writes one chunk of a streamed answer; false once the client is gone.
using ChunkWriter = std::function<bool(std::string_view)>;

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  NameValues headers;
  // A streamed answer: called again and again, from a thread of its own, until it
  // returns false or a write fails.
  std::function<bool(const ChunkWriter&)> stream;

  void set_header(std::string name, std::string value);
  void set_content(std::string text, std::string type);
};

// %XX and, for queries, '+' as a space. False on a broken escape, a NUL, or text that is
// not UTF-8: names and values end up in JSON answers (an error's message quotes them).
bool percent_decode(std::string_view in, bool plus_is_space, std::string* out);
// "a=1&b=x%20y" -> {a,1},{b,x y}. False when percent_decode is.
bool parse_query(std::string_view query, NameValues* out);

}  // namespace wf::api
