// RFC 5424 messages and RFC 5425 frames for the off-box audit copy (ASVS V16.4.3).
#include "audit/syslog_format.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::audit;

namespace {

const SyslogOrigin kOrigin{"gw1.example", "4242"};

Row login_success() {
  Row r;
  r.id = 17;
  r.at = "2026-11-23T19:35:46.123Z";
  r.action = "login";
  r.outcome = "success";
  r.actor_user_id = 3;
  r.actor = "owner@example.com";
  r.target = "user:3";
  r.ip = "203.0.113.9";
  r.user_agent = "curl/8.5";
  r.request_id = "req-1";
  r.details_json = R"m({"mfa_pending":false})m";
  return r;
}

}  // namespace

TEST_CASE("a success event is a notice in facility log audit with every field in airlock@32473", "[audit][syslog][V16.4.3]") {
  CHECK(to_syslog(login_success(), kOrigin) ==
        R"m(<109>1 2026-11-23T19:35:46.123Z gw1.example airlock 4242 login [airlock@32473 seq="17" outcome="success" )m"
        R"m(actor="owner@example.com" user_id="3" target="user:3" ip="203.0.113.9" request_id="req-1" )m"
        R"m(user_agent="curl/8.5"] {"mfa_pending":false})m");
}

TEST_CASE("failure and denied are warnings, and empty parameters are left out", "[audit][syslog][V16.4.3]") {
  Row r;
  r.id = 5;
  r.at = "2026-11-23T19:35:46Z";
  r.action = "login";
  r.outcome = "failure";
  r.actor = "(invalid e-mail)";
  r.details_json = R"m({"reason":"unknown_user"})m";
  CHECK(to_syslog(r, kOrigin) == R"m(<108>1 2026-11-23T19:35:46Z gw1.example airlock 4242 login )m"
                                 R"m([airlock@32473 seq="5" outcome="failure" actor="(invalid e-mail)"] {"reason":"unknown_user"})m");
  r.outcome = "denied";
  r.details_json.clear();
  CHECK(to_syslog(r, kOrigin) ==
        R"m(<108>1 2026-11-23T19:35:46Z gw1.example airlock 4242 login [airlock@32473 seq="5" outcome="denied" actor="(invalid e-mail)"])m");
}

TEST_CASE("parameter values escape quote, backslash and bracket and cannot carry control bytes", "[audit][syslog][V16.4.3]") {
  Row r = login_success();
  r.actor = R"m(a"b\c]d)m";
  r.target = "user:\xC3\xA9";         // é stays UTF-8
  r.ip = "";
  r.request_id = "x\ny\x7F";          // a line break could start a forged line in a receiver's file
  r.user_agent = "bad\xFF\xC0\xAFutf8";  // a stray byte and an overlong '/'
  r.actor_user_id.reset();
  r.details_json = "{}";
  CHECK(to_syslog(r, kOrigin) ==
        "<109>1 2026-11-23T19:35:46.123Z gw1.example airlock 4242 login [airlock@32473 seq=\"17\" outcome=\"success\" "
        "actor=\"a\\\"b\\\\c\\]d\" target=\"user:\xC3\xA9\" request_id=\"x\xEF\xBF\xBDy\xEF\xBF\xBD\" "
        "user_agent=\"bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDutf8\"] {}");
}

TEST_CASE("header fields are printable US-ASCII within RFC 5424 limits, NILVALUE when empty", "[audit][syslog][V16.4.3]") {
  Row r = login_success();
  r.action = "user.invite with spaces and a name past thirty-two octets";
  r.at = "yesterday";
  r.details_json = "{}";
  r.user_agent = r.request_id = r.ip = r.target = "";
  r.actor_user_id.reset();
  SyslogOrigin origin{"", ""};
  CHECK(to_syslog(r, origin) == R"m(<109>1 - - airlock - user.invite_with_spaces_and_a_na )m"
                                R"m([airlock@32473 seq="17" outcome="success" actor="owner@example.com"] {})m");
  r.action = "";
  CHECK(to_syslog(r, {"h\xC3\xA9st name", "1"}).rfind("<109>1 - h__st_name airlock 1 - [", 0) == 0);
  CHECK(syslog_header_field(std::string(300, 'h'), 255) == std::string(255, 'h'));
  CHECK(syslog_header_field("", 48) == "-");
}

TEST_CASE("only RFC 3339 UTC times with up to six fraction digits pass as TIMESTAMP", "[audit][syslog]") {
  Row r = login_success();
  auto ts = [&](const std::string& at) {
    r.at = at;
    auto m = to_syslog(r, kOrigin);
    return m.substr(7, m.find(' ', 7) - 7);
  };
  CHECK(ts("2026-11-23T19:35:46.123456Z") == "2026-11-23T19:35:46.123456Z");
  CHECK(ts("2026-11-23T19:35:46Z") == "2026-11-23T19:35:46Z");
  CHECK(ts("2026-11-23T19:35:46.1234567Z") == "-");
  CHECK(ts("2026-11-23T19:35:46.Z") == "-");
  CHECK(ts("2026-11-23 19:35:46Z") == "-");
  CHECK(ts("2026-11-23T19:35:46.123z") == "-");
  CHECK(ts("2026-11-23T19:35:46+01:00") == "-");
}

TEST_CASE("MSG is the details JSON in stored key order, ASCII only, so it needs no BOM", "[audit][syslog][V16.4.3]") {
  Row r = login_success();
  r.details_json = "{\"z\":1,\"name\":\"caf\xC3\xA9\",\"a\":[true,null]}";
  auto m = to_syslog(r, kOrigin);
  CHECK(m.substr(m.find("] ") + 2) == R"m({"z":1,"name":"caf\u00e9","a":[true,null]})m");
  r.details_json = "not json\n";
  m = to_syslog(r, kOrigin);
  CHECK(m.substr(m.find("] ") + 2) == R"m("not json\n")m");
}

TEST_CASE("frames count octets, not characters (RFC 5425 octet counting)", "[audit][syslog][V16.4.3]") {
  CHECK(octet_frame("abc") == "3 abc");
  CHECK(octet_frame("caf\xC3\xA9") == "5 caf\xC3\xA9");
  auto msg = to_syslog(login_success(), kOrigin);
  auto frame = octet_frame(msg);
  CHECK(frame == std::to_string(msg.size()) + " " + msg);
  CHECK(frame.rfind("239 <109>1 ", 0) == 0);
}
