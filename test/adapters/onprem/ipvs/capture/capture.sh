#!/bin/sh
# Records the generic-netlink request each ipvsadm command sends, using ipvsadm-shim.c (no IPVS needed),
# and prints ipvsadm-captures.json. Run by hand where ipvsadm (libnl-3) is installed:
#   sh test/adapters/onprem/ipvs/capture/capture.sh > test/adapters/onprem/ipvs/ipvsadm-captures.json
set -eu
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -shared -fPIC -O1 -Wall -o "$tmp/shim.so" "$here/ipvsadm-shim.c" -ldl
echo '{'
echo "  \"tool\": \"$(LD_PRELOAD="$tmp/shim.so" ipvsadm --version 2>&1 | head -1)\","
echo '  "familyId": 28,'
echo '  "captures": ['
first=1
while IFS= read -r cmd; do
  [ -n "$cmd" ] || continue
  rm -f "$tmp/out"
  # shellcheck disable=SC2086
  IPVS_CAPTURE_OUT="$tmp/out" LD_PRELOAD="$tmp/shim.so" ipvsadm $cmd >/dev/null 2>&1 || true
  # the last IPVS request (family 0x1c) that is not GET_INFO (cmd 15)
  hex=$(grep -E '^.{8}1c00' "$tmp/out" | grep -vE '^.{32}0f01' | tail -1)
  [ $first -eq 1 ] || echo ','
  first=0
  printf '    { "ipvsadm": "%s", "hex": "%s" }' "$cmd" "$hex"
done <<'CMDS'
-A -t 192.168.10.1:80 -s rr
-E -t 192.168.10.1:80 -s wrr
-D -t 192.168.10.1:80
-A -f 21 -s rr
-A -t [2001:db8::1]:443 -s wlc
-A -u 10.0.0.1:53 -s rr -o
-A -t 10.0.0.100:80 -s sh -p 300 -M 255.255.255.0 -b sh-fallback,sh-port
-A -t [2001:db8::1]:443 -s rr -p 60 -M 64
-a -t 192.168.10.1:80 -r 10.0.0.2:8080 -m -w 5
-e -t 192.168.10.1:80 -r 10.0.0.2:8080 -m -w 7
-d -t 192.168.10.1:80 -r 10.0.0.2:8080
-a -t 192.168.10.1:80 -r 10.0.0.3 -g -w 2 -x 100 -y 10
-a -t 192.168.10.1:80 -r 10.0.0.4 -i -w 1
-a -f 21 -r 10.0.0.5 -g -w 1
--set 900 120 300
-C
-Ln
CMDS
echo ''
echo '  ]'
echo '}'
