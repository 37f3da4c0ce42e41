#!/usr/bin/env bash
# What a plugin author does, from empty folders, against an installed prefix only: install the
# build, build every SDK tutorial with find_package(pipeline-sdk 1.0 REQUIRED) (and the C cache
# backend once with pkg-config), run each tutorial's own test, check each plugin exports only the
# entry points, then run a workflow through the installed `pipeline` with the tutorials' provider,
# step type and cache backend. Also checks what the install itself promises (issue 13, item 1).
# usage: examples_out_of_tree.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
build="$(cd "$2" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
host="$prefix/bin/pipeline"

# -- the install: versioned package, pkg-config file, executable plugins, no build-tree path ----
[ -f "$prefix/lib/cmake/pipeline-sdk/pipeline-sdkConfigVersion.cmake" ] || fail "no version file"
[ -f "$prefix/lib/pkgconfig/pipeline-sdk.pc" ] || fail "no pipeline-sdk.pc"
[ -f "$prefix/include/pipeline/plugin_testing.hpp" ] || fail "plugin_testing.hpp not installed"
[ -f "$prefix/share/pipeline-sdk/examples/cache_backend_c/memo_cache.c" ] || fail "C example not installed"
grep -q '"plugin":"mock"' "$prefix/lib/pipeline/plugins/plugins.manifest.json" ||
  fail "no plugin manifest installed"
bad_modes="$(find "$prefix/lib/pipeline/plugins" -name 'libpipeline_*.so' ! -perm 0755)"
[ -z "$bad_modes" ] || fail "installed plugins not 0755: $bad_modes"
objcopy --strip-debug "$host" "$work/host-stripped"
if grep -q -a "$build" "$work/host-stripped"; then fail "installed host contains $build"; fi
env -i PATH="$PATH" HOME="$work" "$host" plugins --json >"$work/plugins.json" ||
  fail "installed pipeline plugins failed"
grep -q '"name":"mock"' "$work/plugins.json" || fail "installed host found no plugins"
if grep -q "$build" "$work/plugins.json"; then fail "installed host loaded plugins from $build"; fi

# SameMajorVersion: 1.x is found, 2.0 is not.
mkdir -p "$work/probe"
printf 'cmake_minimum_required(VERSION 3.25)\nproject(probe NONE)\nfind_package(pipeline-sdk ${WANT} REQUIRED)\n' \
  >"$work/probe/CMakeLists.txt"
cmake -S "$work/probe" -B "$work/probe/b1" -G Ninja -DWANT=1.0 -DCMAKE_PREFIX_PATH="$prefix" >/dev/null ||
  fail "find_package(pipeline-sdk 1.0) failed"
if cmake -S "$work/probe" -B "$work/probe/b2" -G Ninja -DWANT=2.0 -DCMAKE_PREFIX_PATH="$prefix" \
  >/dev/null 2>&1; then
  fail "find_package(pipeline-sdk 2.0) accepted an ABI 1 SDK"
fi

# -- every tutorial, copied out of the source tree, built against the prefix --------------------
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
plugins="$work/plugins"
mkdir -p "$plugins"
only_entry_points() {
  local extra
  extra="$(nm -D --defined-only "$1" | awk '{print $3}' |
    grep -v -E '^pipeline_plugin_(query|init|shutdown)_v1$' || true)"
  [ -z "$extra" ] || fail "$1 exports more than the entry points: $extra"
}
for example in provider step_type cache_backend_c metrics_sink optimizer; do
  cp -r "$src/sdk/examples/$example" "$work/$example"
  cmake -S "$work/$example" -B "$work/$example/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -pedantic -Werror" --no-warn-unused-cli "${launcher[@]}" >/dev/null ||
    fail "$example: configure"
  cmake --build "$work/$example/build" -j2 >"$work/$example.log" 2>&1 ||
    { cat "$work/$example.log" >&2; fail "$example: build"; }
  ctest --test-dir "$work/$example/build" --output-on-failure >/dev/null ||
    { ctest --test-dir "$work/$example/build" --output-on-failure >&2; fail "$example: its test"; }
  for lib in "$work/$example/build"/libpipeline_*.so; do
    only_entry_points "$lib"
    "$host" plugins --check "$lib" >"$work/check.txt" ||
      { cat "$work/check.txt" >&2; fail "$example: pipeline plugins --check"; }
    cp "$lib" "$plugins/"
  done
done

# The C cache backend again with nothing but pkg-config and the compiler.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pc_lib="$work/pc/libpipeline_memo_cache.so"
mkdir -p "$work/pc"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror -shared -fPIC -fvisibility=hidden \
  $(pkg-config --cflags pipeline-sdk) "$src/sdk/examples/cache_backend_c/memo_cache.c" \
  -Wl,--version-script="$(pkg-config --variable=version_script pipeline-sdk)" -o "$pc_lib" ||
  fail "pkg-config build of memo_cache"
only_entry_points "$pc_lib"
cp "$pc_lib" "$plugins/libpipeline_memo_cache.so"  # the run below uses the pkg-config build

# -- the installed host runs them: the provider serves an LLM step, the step type calls the host's
#    completion service, the C backend is the response cache -------------------------------------
cat >"$work/host.yaml" <<YAML
plugins:
  search_paths: [$plugins]
providers:
  loud: {plugin: shout}
step_providers:
  default: loud
cache:
  levels:
    - {name: memo, backend: memo}
YAML
cat >"$work/tour.yaml" <<'YAML'
workflow:
  name: sdk_tour
  steps:
    - name: count
      type: word_count
      ask: true
      prompt:
        - {type: static, content: "hello from the sdk"}
    - name: loud
      type: claude
      prompt:
        - {type: static, content: "quiet words"}
    - name: loud_again
      type: claude
      prompt:
        - {type: static, content: "quiet words"}
YAML
env -i PATH="$PATH" HOME="$work" XDG_CACHE_HOME="$work/cache" \
  "$host" run "$work/tour.yaml" --config "$work/host.yaml" --json --output-dir "$work/out" \
  >"$work/run.json" 2>"$work/run.err" || { cat "$work/run.err" "$work/run.json" >&2; fail "run"; }
# The same prompt twice: the second answer comes from the C backend.
for want in '"words":4' '"reply":"HELLO FROM THE SDK"' '"text":"QUIET WORDS"' '"cache_hits":1'; do
  grep -q -F "$want" "$work/run.json" || { cat "$work/run.json" >&2; fail "run output lacks $want"; }
done
[ -n "${SDK_EXAMPLES_SHOW:-}" ] && cat "$work/run.json" "$work/run.err"
echo "sdk examples: ok"
