#include "audit/syslog_forwarder.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

#include "audit/audit_query.h"
#include "audit/syslog_connection.h"
#include "net/tls_client.h"
#include "store/database.h"

namespace airlock::audit {
namespace {

using core::Status;
using namespace std::chrono_literals;

constexpr auto kReportEvery = 60s;

std::string os_error(int err) { return std::error_code(err, std::system_category()).message(); }

Status cursor_error(const std::string& path, const std::string& why) {
  return Status::error("syslog_cursor", "the syslog cursor '" + path + "' " + why);
}

std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

}  // namespace

std::chrono::milliseconds Backoff::next() {
  auto d = next_;
  next_ = std::min(next_ * 2, kMax);
  return d;
}

core::Result<std::optional<std::int64_t>> read_cursor(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::int64_t>();
    return cursor_error(path, "cannot be read: " + os_error(errno));
  }
  char buf[32];
  auto n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string_view text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  std::int64_t id = 0;
  bool ok = text.size() >= 2 && text.size() <= 19 && text.back() == '\n';
  for (std::size_t i = 0; ok && i + 1 < text.size(); ++i) {
    ok = text[i] >= '0' && text[i] <= '9';
    id = id * 10 + (text[i] - '0');
  }
  // Refused rather than guessed: restarting at 0 would resend everything, at the newest event
  // would skip what was not yet sent. The operator decides (delete it: start after the newest).
  if (!ok) return cursor_error(path, "is damaged; remove it to continue after the newest audit event");
  return std::optional<std::int64_t>(id);
}

Status write_cursor(const std::string& path, std::int64_t id) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return cursor_error(path, "cannot be written: " + os_error(errno));
  std::string text = std::to_string(id) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    return cursor_error(path, "cannot be written: " + os_error(err));
  }
  return Status::ok();
}

SyslogForwarder::SyslogForwarder(store::Database& db, core::Logger& log, const core::Clock& clock,
                                 SyslogForwarderOptions options)
    : db_(db), log_(log), clock_(clock), options_(std::move(options)) {}

core::Result<std::unique_ptr<SyslogForwarder>> SyslogForwarder::start(store::Database& db, core::Logger& log,
                                                                       const core::Clock& clock,
                                                                       SyslogForwarderOptions options) {
  auto tls = net::TlsClientConfig::create("", options.ca_file);
  if (!tls)
    return Status::error("config_error",
                         "AIRLOCK_SYSLOG_CA_FILE: no CA certificate could be loaded from '" + options.ca_file + "'");
  auto stored = read_cursor(options.cursor_path);
  if (!stored) return stored.status();
  std::int64_t newest = 0;
  if (auto s = db.view([&](store::Tx& tx) {
        newest = max_id(tx);
        return Status::ok();
      });
      !s)
    return s;
  if (options.origin.hostname.empty()) options.origin.hostname = local_hostname();
  if (options.origin.procid.empty()) options.origin.procid = std::to_string(::getpid());

  std::unique_ptr<SyslogForwarder> f(new SyslogForwarder(db, log, clock, std::move(options)));
  f->tls_ = std::move(*tls);
  std::string resolver_error;
  f->resolver_ = egress::make_system_resolver({}, &resolver_error);
  if (!f->resolver_) return Status::error("resolver_failed", resolver_error);
  std::string url_error;
  bool v6 = f->options_.host.find(':') != std::string::npos;
  auto url = egress::parse_url("https://" + (v6 ? "[" + f->options_.host + "]" : f->options_.host) + ":" +
                                   std::to_string(f->options_.port),
                               &url_error);
  if (!url) return Status::error("config_error", "AIRLOCK_SYSLOG_TARGET: the host " + url_error);
  f->receiver_ = std::make_shared<egress::Destination>(*url, /*operator_internal=*/true, egress::default_policy(),
                                                       *f->resolver_, clock, &log);
  f->cursor_ = stored->value_or(newest);
  if (f->cursor_ > newest) {
    log.warn("syslog.forwarder: the cursor is ahead of the audit trail (database restored?); continuing after "
             "the newest event, so the receiver sees seq go back",
             {{"cursor", f->cursor_}, {"newest", newest}});
    f->cursor_ = newest;
  }
  if (!stored->has_value() || f->cursor_ != **stored)
    if (auto s = write_cursor(f->options_.cursor_path, f->cursor_); !s) return s;
  log.info("syslog.forwarder", {{"target", f->target_text()},
                                {"ca_file", f->options_.ca_file},
                                {"next_seq", f->cursor_ + 1},
                                {"pending", newest - f->cursor_}});
  f->thread_ = std::thread([p = f.get()] { p->run(); });
  return f;
}

SyslogForwarder::~SyslogForwarder() { stop(); }

void SyslogForwarder::stop() {
  std::unique_lock lock(mu_);
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake_.notify_all();
  // A thread idle or mid-batch gets a moment to finish and close with a close_notify; one stuck
  // on a silent receiver has its socket cut.
  if (!wake_.wait_for(lock, 2s, [&] { return done_; }) && conn_) conn_->interrupt();
  lock.unlock();
  thread_.join();
}

bool SyslogForwarder::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, d, [&] { return stopping_; });
}

std::string SyslogForwarder::target_text() const {
  bool v6 = options_.host.find(':') != std::string::npos;
  return (v6 ? "[" + options_.host + "]" : options_.host) + ":" + std::to_string(options_.port);
}

void SyslogForwarder::run() {
  for (;;) {
    bool sent_any = false;
    auto s = deliver_batch(&sent_any);
    if (!s) {
      if (s.code() == "stopping") break;
      drop_connection(/*graceful=*/false);
      note_failure(s);
      if (!pause(backoff_.next())) break;
      continue;
    }
    if (sent_any) {
      if (failures_ > 0)
        log_.info("syslog.forwarder: delivering again", {{"target", target_text()}, {"failures", failures_}});
      failures_ = unreported_ = 0;
      last_report_.reset();
      backoff_.reset();
      continue;  // a full batch may have more behind it
    }
    if (!pause(options_.poll_interval)) break;
  }
  drop_connection(/*graceful=*/true);
  std::lock_guard lock(mu_);
  done_ = true;
  wake_.notify_all();
}

Status SyslogForwarder::deliver_batch(bool* sent_any) {
  std::vector<Row> rows;
  if (auto s = db_.view([&](store::Tx& tx) {
        rows = rows_after(tx, cursor_, options_.batch);
        return Status::ok();
      });
      !s)
    return s;
  // Connected also while idle, so a receiver that is down or refused shows in the log before the
  // next event needs it. A receiver that closed (restarted, or refuses us after the handshake) is
  // noticed here, before bytes go into a dead socket, and counts as a failure: backing off keeps
  // one that closes every connection from being redialled twice a second.
  if (conn_ && conn_->peer_closed()) return Status::error("syslog_closed", "the receiver closed the connection");
  if (auto s = ensure_connected(); !s) return s;
  if (rows.empty()) return Status::ok();
  std::string frames;
  for (const auto& r : rows) frames += octet_frame(to_syslog(r, options_.origin));
  if (auto s = conn_->write_all(frames); !s) return s;
  if (!conn_->wait_acknowledged(options_.io_timeout, [this](std::chrono::milliseconds d) { return pause(d); })) {
    std::lock_guard lock(mu_);
    return stopping_ ? Status::error("stopping", "stopping")
                     : Status::error("syslog_send", "the receiver did not acknowledge the batch");
  }
  cursor_ = rows.back().id;
  *sent_any = true;
  // Delivered either way: a cursor that cannot be saved only means a resend after a restart. Said
  // once per run of failures, not once per batch.
  auto saved = write_cursor(options_.cursor_path, cursor_);
  if (!saved && !cursor_unsaved_)
    log_.warn("syslog.forwarder: cannot save the cursor; events may be sent again after a restart",
              {{"reason", saved.message()}});
  cursor_unsaved_ = !saved;
  return Status::ok();
}

Status SyslogForwarder::ensure_connected() {
  if (conn_) return Status::ok();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::error("stopping", "stopping");
    conn_ = std::make_unique<SyslogConnection>(tls_->conf());
  }
  // The receiver is the operator's own choice (AIRLOCK_SYSLOG_TARGET): resolved off any loop, not
  // subject to the provider egress policy.
  auto pick = egress::pick_blocking(*receiver_, options_.io_timeout);
  if (!pick.address) return Status::error("syslog_unreachable", "cannot resolve the host: " + pick.reason);
  std::vector<core::IpAddress> addresses{*pick.address};
  addresses.insert(addresses.end(), pick.others.begin(), pick.others.end());
  auto s = conn_->open(options_.host, addresses, options_.port, options_.io_timeout);
  std::lock_guard lock(mu_);
  if (stopping_) return Status::error("stopping", "stopping");
  return s;
}

void SyslogForwarder::drop_connection(bool graceful) {
  std::unique_ptr<SyslogConnection> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(conn_);
  }
  if (old && !graceful) old->interrupt();
}

void SyslogForwarder::note_failure(const Status& s) {
  ++failures_;
  auto now = clock_.steady_now();
  if (last_report_ && now - *last_report_ < kReportEvery) {
    ++unreported_;
    return;
  }
  log_.warn("syslog.forwarder: cannot deliver audit events; will retry",
            {{"target", target_text()},
             {"code", s.code()},
             {"reason", s.message()},
             {"next_seq", cursor_ + 1},
             {"failures_not_logged", unreported_}});
  unreported_ = 0;
  last_report_ = now;
}

}  // namespace airlock::audit
