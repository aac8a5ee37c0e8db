#!/usr/bin/env bash
# GPU check for a CUDA machine (prepared; not yet run on one). Builds core with the CUDA natives (-Pgpu) and runs the
# CUDA tests (GpuSmokeTest: device placement round trip; CUDA vs CPU logits per step in both KV modes and across the
# LongRoPE switch; continuous batching on CUDA == CPU alone; image/audio requests; aggregate tokens/s at 1/4/16
# requests) plus the device-path equivalence tests on the CPU as a control. Target: under 5 minutes.
# Usage: bash scripts/gpu-check.sh [extra maven args]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  for d in /usr/lib/jvm/*; do
    if [ -x "$d/bin/javac" ] && "$d/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      export JAVA_HOME="$d"; break
    fi
  done
fi
echo "JDK: ${JAVA_HOME:?no JDK >= 21 found}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || \
  echo "nvidia-smi not found: the CUDA tests will fail (strict provider)"

start=$(date +%s)
rc=0
./mvnw -B -ntp -q -Pgpu -pl core -am test \
  -Dphi4.gpu=true \
  -Dtest='GpuSmokeTest,DeviceResidencyTest,PlacementTest,DecodingSessionTest,OrtSessionTest' \
  -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.redirectTestOutputToFile=true "$@" || rc=$?
grep -h "Tests run" core/target/surefire-reports/*.txt || true
grep -h "CUDA vs CPU\|CUDA batched\|GPU:" core/target/surefire-reports/*-output.txt 2>/dev/null || true
echo "gpu-check finished in $(( $(date +%s) - start )) s"
exit $rc
