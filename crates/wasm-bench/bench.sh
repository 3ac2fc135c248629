#!/usr/bin/env bash
# Builds the wasm bench in one configuration and prints the path of its wasm-bindgen module.
#
#   crates/wasm-bench/bench.sh NAME OPT-LEVEL WASM-OPT [FEATURES] [RUSTFLAGS]
#
#   NAME       output directory under $CARGO_TARGET_DIR/wasm-bench/ (default target: ./target)
#   OPT-LEVEL  the release profile's opt-level for this build: z, s, 1, 2, 3 (LTO, one codegen
#              unit and panic=abort as the app's release profile)
#   WASM-OPT   binaryen level applied after wasm-bindgen, as Trunk's data-wasm-opt: z, s, 1-4,
#              or none
#   FEATURES   cargo features of kube-rightsize-wasm-bench (default none)
#   RUSTFLAGS  extra rustflags, e.g. "-C target-feature=+simd128"
#
# Then time it: node crates/wasm-bench/bench.mjs run --file SNAPSHOT NAME=PATH ... (see
# BENCHMARKS.md, "Analysis in wasm vs native").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
name=$1 opt=$2 wopt=$3 features=${4:-} flags=${5:-}
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/wasm-bench/$name
# One cargo target directory per (opt-level, features, rustflags): switching rebuilds everything.
key=$(printf '%s|%s|%s' "$opt" "$features" "$flags" | sha1sum | cut -c1-10)
build=$target/wasm-bench/cargo-$key
case $opt in z|s) optv="\"$opt\"" ;; *) optv=$opt ;; esac
wasm_opt=${WASM_OPT:-$(command -v wasm-opt || echo "$root/target/tools/binaryen/node_modules/.bin/wasm-opt")}
(
  cd "$root"
  CARGO_TARGET_DIR=$build RUSTFLAGS="$flags" cargo build --quiet --release --lib \
    -p kube-rightsize-wasm-bench --target wasm32-unknown-unknown \
    --config "profile.release.opt-level=$optv" --config 'profile.release.lto=true' \
    --config 'profile.release.codegen-units=1' --config 'profile.release.panic="abort"' \
    ${features:+--features "$features"}
)
rm -rf "$out" && mkdir -p "$out/web"
feat="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue"
[[ $flags == *simd128* ]] && feat="$feat --enable-simd"
# The node module (bench.mjs) and the browser module (chromium.sh), each then through wasm-opt
# as Trunk does after wasm-bindgen.
for glue in nodejs:"$out" web:"$out/web"; do
  wasm-bindgen --target "${glue%%:*}" --out-dir "${glue#*:}" \
    "$build/wasm32-unknown-unknown/release/kube_rightsize_wasm_bench.wasm"
  wasm=${glue#*:}/kube_rightsize_wasm_bench_bg.wasm
  if [ "$wopt" != none ]; then
    # Keep the name section (-g) so that profiles show Rust function names; the sizes below
    # are without it.
    "$wasm_opt" "-O$wopt" -g $feat -o "$wasm.opt" "$wasm"
    mv "$wasm.opt" "$wasm"
  fi
done
wasm=$out/kube_rightsize_wasm_bench_bg.wasm
"$wasm_opt" --strip-debug --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd \
  -o "$out/stripped.wasm" "$wasm"
raw=$(stat -c %s "$out/stripped.wasm")
gz=$(gzip -9 -c "$out/stripped.wasm" | wc -c)
echo "$name: opt-level=$opt wasm-opt=$wopt features=${features:-none} rustflags=${flags:-none}: $raw B raw, $gz B gzip -9 (without names)" >&2
echo "$out/kube_rightsize_wasm_bench.js"
