# perf/run crypto: the chosen per-packet seal/open (PacketAeads.create) against `openssl speed` and a C
# per-packet EVP loop, all in one invocation on this machine. Sourced by perf/run (lib.sh loaded).
# Env: CRYPTO_SECS (openssl/C seconds per point, default 2), CRYPTO_JMH (extra JMH args).
set -euo pipefail
secs=${CRYPTO_SECS:-2}
out="$XDPMESH_RESULTS/crypto"
mkdir -p "$out"
loop="$XDPMESH_ROOT/perf/target/chachapoly_loop"
gcc -O2 -Wall -o "$loop" "$XDPMESH_ROOT/perf/native/chachapoly_loop.c" -lcrypto

echo "== JMH: seal/open per packet on a native frame (factory, vector, evp) with -prof gc" >&2
# shellcheck disable=SC2086
xdpmesh_jmh 'io.xdpmesh.perf.crypto.AeadBench' -p impl=factory,vector,evp -p size=64,256,1420 \
  -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc -rf json -rff "$out/jmh.json" ${CRYPTO_JMH:-} > "$out/jmh.txt"
grep -E '^AeadBench\.(seal|open) ' "$out/jmh.txt" >&2 || true

echo "== openssl speed -evp chacha20-poly1305 (no per-packet work), ${secs}s per size" >&2
: > "$out/openssl.txt"
for n in 64 256 1420; do
  kbs=$(openssl speed -evp chacha20-poly1305 -seconds "$secs" -bytes "$n" 2>/dev/null | awk '/^ChaCha20-Poly1305/ {sub(/k$/, "", $NF); print $NF}')
  echo "$n $kbs" >> "$out/openssl.txt"
done
cat "$out/openssl.txt" >&2

echo "== C per-packet EVP loop (nonce re-init, Final, tag per packet)" >&2
: > "$out/cloop.txt"
for op in seal open; do
  for n in 64 256 1420; do echo "$op $("$loop" "$op" "$n" "$secs")" >> "$out/cloop.txt"; done
done
cat "$out/cloop.txt" >&2

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
jmh = {}
alloc = {}
for r in json.load(open(f"{out}/jmh.json")):
    name = r["benchmark"].rsplit(".", 1)[1]
    size, impl = int(r["params"]["size"]), r["params"]["impl"]
    ns = r["primaryMetric"]["score"]
    jmh[(name, impl, size)] = size / ns  # GB/s
    sec = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    if sec is not None:
        alloc[(name, impl, size)] = sec["score"]
ossl = {int(l.split()[0]): float(l.split()[1]) * 1000 / 1e9 for l in open(f"{out}/openssl.txt") if len(l.split()) == 2}
cloop = {(l.split()[0], int(l.split()[1])): float(l.split()[3]) for l in open(f"{out}/cloop.txt")}
print("GB/s        size   factory   vector      evp   openssl-speed  C-EVP-loop", file=sys.stderr)
for op in ("seal", "open"):
    for n in (64, 256, 1420):
        g = lambda i: jmh.get((op, i, n), float("nan"))
        print(f"{op:5s} {n:10d} {g('factory'):9.3f} {g('vector'):8.3f} {g('evp'):8.3f} {ossl.get(n, float('nan')):15.3f} {cloop.get((op, n), float('nan')):11.3f}",
              file=sys.stderr)
f = lambda op, n: jmh[(op, "factory", n)] / ossl[n]
nat = jmh[("seal", "factory", 256)] / cloop[("seal", 256)]
a = max(v for (op, impl, n), v in alloc.items() if impl == "factory")
print(f"crypto: seal1420={f('seal',1420):.2f}x open1420={f('open',1420):.2f}x seal256={f('seal',256):.2f}x "
      f"open256={f('open',256):.2f}x of openssl, seal256={nat:.2f}x of native per-packet, alloc={a:.0f}B/op")
PY
