// vouch — which declarations libvouch.so exports.
//
// vouch is compiled with -fvisibility=hidden -fvisibility-inlines-hidden
// (CMakeLists.txt): every symbol of the shared library is local unless its
// declaration in include/vouch/ says VOUCH_EXPORT. The internals (src/) share
// the `vouch` namespace with the public API, so no name pattern (a version
// script's `vouch::*`) could tell them apart; the mark on the declaration can.
//
//   class VOUCH_EXPORT Connection { ... };      // members, vtable, typeinfo
//   VOUCH_EXPORT std::string to_string(CipherSuite s);
//
// Everything a program can name through these headers and that is defined
// out of line in the library carries the mark; structs with inline members
// only, enums, aliases and templates need none. The static library
// (libvouch.a) is built from the same objects: visibility does not restrict
// static linking, so tests still reach the internals.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define VOUCH_EXPORT __attribute__((visibility("default")))
#else
#define VOUCH_EXPORT
#endif
