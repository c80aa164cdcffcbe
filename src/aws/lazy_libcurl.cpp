// The libcurl functions CurlTransport calls, forwarded to libcurl.so.4 loaded (dlopen) on the first call.
//
// Why: linking libcurl makes the dynamic loader map and relocate it and its ~30 dependencies (GnuTLS, Kerberos,
// LDAP, libssh2…) at every start, which cost more than everything else a cache-hit `atmos auth env` does.
// Commands that never call AWS now never load it. When libcurl cannot be loaded, curl_global_init fails with
// CURLE_FAILED_INIT and curl_easy_init returns null, which CurlTransport reports as a transport error.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>

namespace {

struct LibCurl {
  bool loaded = false;
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  void (*easy_reset)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
};

template <typename Fn>
bool bind(void* handle, const char* name, Fn& fn) {
  fn = reinterpret_cast<Fn>(::dlsym(handle, name));
  return fn != nullptr;
}

const LibCurl& libcurl() {
  static const LibCurl lib = [] {
    LibCurl l;
    void* handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle) return l;
    l.loaded = bind(handle, "curl_global_init", l.global_init) && bind(handle, "curl_easy_init", l.easy_init) &&
               bind(handle, "curl_easy_cleanup", l.easy_cleanup) && bind(handle, "curl_easy_reset", l.easy_reset) &&
               bind(handle, "curl_easy_setopt", l.easy_setopt) && bind(handle, "curl_easy_perform", l.easy_perform) &&
               bind(handle, "curl_easy_getinfo", l.easy_getinfo) && bind(handle, "curl_easy_strerror", l.easy_strerror) &&
               bind(handle, "curl_slist_append", l.slist_append) && bind(handle, "curl_slist_free_all", l.slist_free_all);
    return l;
  }();
  return lib;
}

}  // namespace

// Every function below except curl_global_init, curl_easy_init and curl_easy_strerror is only reachable with a
// handle or list that a loaded libcurl made.
extern "C" {

CURLcode curl_global_init(long flags) { return libcurl().loaded ? libcurl().global_init(flags) : CURLE_FAILED_INIT; }

CURL* curl_easy_init() { return libcurl().loaded ? libcurl().easy_init() : nullptr; }

void curl_easy_cleanup(CURL* curl) {
  if (curl) libcurl().easy_cleanup(curl);
}

void curl_easy_reset(CURL* curl) { libcurl().easy_reset(curl); }

// These keep libcurl's own signatures, whose last named parameter is an enum: clang warns that va_start after a
// promotable type is undefined in ISO C, but the enums are int-sized and every ABI passes them as int.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wvarargs"
#endif

// The argument's type follows from the option's number range, as libcurl itself reads it.
CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  va_list ap;
  va_start(ap, option);
  CURLcode result;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    result = libcurl().easy_setopt(curl, option, va_arg(ap, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    result = libcurl().easy_setopt(curl, option, va_arg(ap, void*));
  } else if (option < CURLOPTTYPE_OFF_T) {
    result = libcurl().easy_setopt(curl, option, va_arg(ap, void (*)()));
  } else if (option < CURLOPTTYPE_BLOB) {
    result = libcurl().easy_setopt(curl, option, va_arg(ap, curl_off_t));
  } else {
    result = libcurl().easy_setopt(curl, option, va_arg(ap, void*));
  }
  va_end(ap);
  return result;
}

CURLcode curl_easy_perform(CURL* curl) { return libcurl().easy_perform(curl); }

// Every CURLINFO_* takes one pointer.
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  va_list ap;
  va_start(ap, info);
  void* target = va_arg(ap, void*);
  va_end(ap);
  return libcurl().easy_getinfo(curl, info, target);
}

const char* curl_easy_strerror(CURLcode code) {
  return libcurl().loaded ? libcurl().easy_strerror(code) : "libcurl (libcurl.so.4) could not be loaded";
}

curl_slist* curl_slist_append(curl_slist* list, const char* data) {
  return libcurl().loaded ? libcurl().slist_append(list, data) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  if (list) libcurl().slist_free_all(list);
}

}  // extern "C"
