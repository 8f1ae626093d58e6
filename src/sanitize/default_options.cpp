// Default options of the sanitizer runtimes, compiled into crosstalk's executables
// (crosstalk, crosstalk_tests) in a CROSSTALK_SANITIZE build only (CMakeLists.txt), so
// that they apply however the programs are started: by scripts/sanitize.sh, by ctest, by
// hand, or by the CLI tests, which run the crosstalk executable as a child process.
// The environment (ASAN_OPTIONS, LSAN_OPTIONS, UBSAN_OPTIONS) still overrides them.
// Not part of crosstalk_core. docs/testing.md, "Sanitizers".

#define CROSSTALK_SANITIZER_HOOK extern "C" __attribute__((visibility("default"), used))

// ASan: its defaults (leak detection at exit included) are what we want.
//
// UBSan: every finding aborts the program with a stack trace. The build already compiles
// with -fno-sanitize-recover=undefined; halt_on_error=1 covers the checks that are
// recoverable whatever the flags say, print_stacktrace=1 says where the finding was.
CROSSTALK_SANITIZER_HOOK const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1";
}

// LeakSanitizer suppressions: leaks of the libraries below are theirs, not crosstalk's.
//
// libfontconfig: cairo_select_font_face() (render/heatmap_scene.cpp, text measurement)
// makes cairo load the fontconfig configuration and cache a pattern per toy font face.
// Both live until the process ends: fontconfig would only free them in FcFini(), which
// cairo never calls, so every process that draws a heatmap ends with ~1 KB "leaked" in
// ~12 fontconfig allocations (FcPatternDuplicate under cairo_toy_font_face_create,
// the config parsed by FcInitLoadConfigAndFonts). crosstalk destroys every cairo object
// it creates.
CROSSTALK_SANITIZER_HOOK const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
