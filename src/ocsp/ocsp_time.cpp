#include "ocsp/ocsp_time.h"

#include <cstdio>
#include <ctime>

namespace vouch {

std::optional<SysTime> from_asn1_time(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  // ASN1_TIME_to_tm checks the syntax (and folds any "+hhmm" offset or
  // fractional seconds a lenient encoder produced) and yields UTC fields.
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                           day{static_cast<unsigned>(tm.tm_mday)}};
  if (!ymd.ok()) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: roughly 1677-09-21 to
  // 2262-04-11. GeneralizedTime reaches 9999 (responders use far dates for
  // "no expiry"), so instants outside that range are clamped to its inner
  // edges rather than overflowing: a nextUpdate in 2574 stays "far in the
  // future", a thisUpdate in 1500 stays "long past".
  if (tm.tm_year + 1900 > 2261) return SysTime{sys_days{year{2262} / January / 1}};
  if (tm.tm_year + 1900 < 1678) return SysTime{sys_days{year{1678} / January / 1}};
  return SysTime{sys_days{ymd}} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
}

std::string iso8601(SysTime t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day ymd{days};
  const hh_mm_ss hms{secs - days};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace vouch
