#!/usr/bin/env bash
# GPU check for a CUDA machine (prepared; not yet run on one). First checks what the -gpu natives need from the host
# (NVIDIA driver >= 580 for CUDA 13, compute capability >= 7.5, cuBLAS 13 and cuDNN 9 on the loader path; README
# "GPU") and stops with a plain message when something is missing. Then builds core with the CUDA natives (-Pgpu) and
# runs the CUDA tests (GpuSmokeTest: device placement round trip; CUDA vs CPU logits per step in both KV modes and
# across the LongRoPE switch; continuous batching on CUDA == CPU alone; image/audio requests; aggregate tokens/s at
# 1/4/16 requests; every engine open there also checks that all sessions landed on CUDA, one shared arena with the
# derived gpu_mem_limit, pinned host memory for the per-step logits and masks), CudaArenaTest (the environment's arena
# registered and unregistered for real) plus the device-path equivalence tests on the CPU as a control. Target: under
# 5 minutes.
# Usage: bash scripts/gpu-check.sh [extra maven args]
set -euo pipefail
cd "$(dirname "$0")/.."

MIN_DRIVER=580     # CUDA 13.x minor-version compatibility (NVIDIA CUDA compatibility guide)
MIN_CC=75          # the CUDA provider's fatbin: sm_75, 80, 90, 100, 120; no PTX

# 1. The driver, before anything else: without it nothing below can work.
if ! command -v nvidia-smi >/dev/null; then
  echo "FAIL: nvidia-smi not found: the NVIDIA driver is not installed. CUDA 13 needs driver >= $MIN_DRIVER."
  exit 2
fi
driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1 | tr -d ' ')
if [ -z "$driver" ]; then
  echo "FAIL: nvidia-smi reports no GPU (driver loaded? device visible to this container?)."
  exit 2
fi
if [ "${driver%%.*}" -lt "$MIN_DRIVER" ]; then
  echo "FAIL: NVIDIA driver $driver is too old: CUDA 13 needs driver >= $MIN_DRIVER. Update the driver."
  exit 2
fi
echo "driver $driver: OK (>= $MIN_DRIVER)"
nvidia-smi --query-gpu=index,name,compute_cap,memory.total --format=csv,noheader | while IFS=, read -r i name cc mem; do
  cc=$(echo "$cc" | tr -d ' .'); name=$(echo "$name" | xargs); mem=$(echo "$mem" | xargs)
  if [ "$cc" -lt "$MIN_CC" ]; then
    echo "WARNING: GPU $i ($name) has compute capability ${cc:0:-1}.${cc: -1}: below 7.5, the CUDA provider has no kernels for it"
  else
    echo "GPU $i: $name, compute capability ${cc:0:-1}.${cc: -1}, $mem: OK"
  fi
done

# 2. cuBLAS and cuDNN: not on Maven Central, so the host provides them (docs/decisions/build-gpu-runtime-libraries.md).
missing=()
for lib in libcublasLt.so.13 libcublas.so.13 libcudnn.so.9; do
  found=""
  IFS=: read -ra dirs <<< "${LD_LIBRARY_PATH:-}"
  for d in "${dirs[@]}"; do [ -n "$d" ] && [ -e "$d/$lib" ] && found="$d/$lib" && break; done
  [ -z "$found" ] && ldconfig -p 2>/dev/null | grep -q " $lib " && found="(ldconfig)"
  if [ -z "$found" ]; then missing+=("$lib"); else echo "$lib: $found"; fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "FAIL: not on the loader path: ${missing[*]}. Install cuBLAS 13 and cuDNN 9 for CUDA 13 (NVIDIA's packages, or"
  echo "      pip install nvidia-cublas nvidia-cudnn-cu13 and add their lib folders to LD_LIBRARY_PATH)."
  exit 2
fi

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  for d in /usr/lib/jvm/*; do
    if [ -x "$d/bin/javac" ] && "$d/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      export JAVA_HOME="$d"; break
    fi
  done
fi
echo "JDK: ${JAVA_HOME:?no JDK >= 21 found}"

start=$(date +%s)
rc=0
./mvnw -B -ntp -q -Pgpu -pl core -am test \
  -Dphi4.gpu=true \
  -Dtest='GpuSmokeTest,DeviceResidencyTest,PlacementTest,DecodingSessionTest,OrtSessionTest,CudaArenaTest' \
  -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.redirectTestOutputToFile=true "$@" || rc=$?
grep -h "Tests run" core/target/surefire-reports/*.txt || true
grep -h "CUDA vs CPU\|CUDA batched\|GPU:" core/target/surefire-reports/*-output.txt 2>/dev/null || true
echo "gpu-check finished in $(( $(date +%s) - start )) s"
exit $rc
