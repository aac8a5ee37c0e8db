#!/usr/bin/env python3
"""Applies each one-line mutation of docs/mutation-audit.md to the main code, runs the always-on tests that should
catch it, records which failed, and restores the file with `git checkout` (also on error or Ctrl-C).

Usage (from the repository root, JDK 21+ on the PATH, a clean work tree):
    python3 scripts/mutation-audit.py            # every mutation
    python3 scripts/mutation-audit.py M4 M8      # some of them
Prints one line per mutation: the tests run and those that failed (a mutation no test catches is "SURVIVED").
"""
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

MAIN = "core/src/main/java/dev/phi4ee/core/"
TESTS_PY = "core/src/test/java/dev/phi4ee/core/"

# id: (description, file, original text, mutated text, tests to run)
MUTATIONS = {
    "M1": (
        "LongRoPE re-run a step early",
        MAIN + "generate/DecodingSession.java",
        [("if (past == originalMaxPositions && promptEmbeds != null)",
          "if (past == originalMaxPositions - 1 && promptEmbeds != null)"),
         ("return length == originalMaxPositions && promptEmbeds != null;",
          "return length == originalMaxPositions - 1 && promptEmbeds != null;")],
        ["RecomputeReferenceTest", "ContinuousBatchingTest", "DecodingSessionTest"],
    ),
    "M2": (
        "slot copy drops the last KV row",
        MAIN + "generate/SlotKvPool.java",
        [("sources.add(t.region(from * slotBytes + h * headBytes, validLength, config.headSize()));",
          "sources.add(t.region(from * slotBytes + h * headBytes, validLength - 1, config.headSize()));"),
         ("targets.add(t.region(to * slotBytes + h * headBytes, validLength, config.headSize()));",
          "targets.add(t.region(to * slotBytes + h * headBytes, validLength - 1, config.headSize()));")],
        ["RecomputeReferenceTest", "ContinuousBatchingTest", "BatchDecodeStepTest"],
    ),
    "M3": (
        "rows batched across the LongRoPE switch",
        MAIN + "generate/DecodeBatch.java",
        [("new GroupKey(promptStage.adapters(request), request.promptIds.length > originalMaxPositions)",
          "new GroupKey(promptStage.adapters(request), false)"),
         ("regroup(row, new GroupKey(row.adapters(), true));", "regroup(row, new GroupKey(row.adapters(), false));")],
        ["RecomputeReferenceTest", "ContinuousBatchingTest", "BatchDecodeStepTest"],
    ),
    "M4": (
        "resize weights truncated instead of rounded",
        MAIN + "vision/BilinearAntialiasResizer.java",
        [("fixed[i] = (int) (k < 0 ? -0.5 + k : 0.5 + k);", "fixed[i] = (int) k;")],
        ["GoldenImageTest", "ImagePreprocessorTest", "PillowParityTest"],
    ),
    "M5": (
        "periodic instead of symmetric Hamming window",
        MAIN + "audio/LogMelExtractor.java",
        [("w[i] = 0.54 - 0.46 * Math.cos(2 * Math.PI * i / (length - 1));",
          "w[i] = 0.54 - 0.46 * Math.cos(2 * Math.PI * i / length);")],
        ["GoldenAudioTest", "LogMelFeaturesTest", "MelFilterBankTest", "NumpyDifferentialTest"],
    ),
    "M6": (
        "BPE tie-break: rightmost instead of leftmost lowest rank",
        MAIN + "text/BytePairEncoder.java",
        [("                if (ranks[k] < bestRank) {", "                if (ranks[k] <= bestRank) {")],
        ["Phi4TokenizerTest", "HuggingFaceJsParityTest", "TokenizerJsonReaderTest", "O200kPreTokenizerTest"],
    ),
    "M7": (
        "LoRA rank padding: zero columns prepended instead of appended",
        MAIN + "model/lora/RankPadding.java",
        [("            dst.put(at, src, (int) (i * rowIn), (int) rowIn);\n"
          "            fill(dst, at + (int) rowIn, (int) (rowOut - rowIn), filler);",
          "            dst.put(at + (int) (rowOut - rowIn), src, (int) (i * rowIn), (int) rowIn);\n"
          "            fill(dst, at, (int) (rowOut - rowIn), filler);")],
        ["LoraRankFitTest", "LoraRankFitInt4Test", "LoraRankWideningTest", "LoraStreamingWideningTest",
         "LoraRankFitSessionTest", "LoraRankFitEngineTest"],
    ),
    "M8": (
        "bicubic A = -0.5 instead of -0.75",
        MAIN + "vision/BicubicGlobalView.java",
        [("private static final float A = -0.75f;", "private static final float A = -0.5f;")],
        ["GoldenImageTest", "ImagePreprocessorTest"],
    ),
}


def apply(path, edits):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for old, new in edits:
        if text.count(old) != 1:
            raise SystemExit(f"{path}: expected exactly one occurrence of {old!r}")
        text = text.replace(old, new)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def failed_classes():
    failed = set()
    for report in glob.glob("core/target/surefire-reports/TEST-*.xml"):
        suite = ET.parse(report).getroot()
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        if bad:
            failed.add(suite.get("name").rsplit(".", 1)[-1] + f" ({bad} failed)")
    return sorted(failed)


def run(mid):
    what, path, edits, tests = MUTATIONS[mid]
    for report in glob.glob("core/target/surefire-reports/TEST-*.xml"):
        os.remove(report)
    apply(path, edits)
    try:
        cmd = ["./mvnw", "-o", "-B", "-ntp", "-q", "-pl", "core", "test", "-Dtest=" + ",".join(tests),
               "-Dmaven.test.failure.ignore=true", "-Dsurefire.failIfNoSpecifiedTests=false"]
        log = subprocess.run(cmd, capture_output=True, text=True)
        if "COMPILATION ERROR" in log.stdout:
            raise SystemExit(f"{mid}: the mutation does not compile\n{log.stdout[-3000:]}")
    finally:
        subprocess.run(["git", "checkout", "--", path], check=True)
    failed = failed_classes()
    print(f"{mid} {what}: ran {', '.join(tests)}; caught by: {', '.join(failed) if failed else 'SURVIVED'}",
          flush=True)


def main():
    if subprocess.run(["git", "diff", "--quiet", "--", MAIN]).returncode != 0:
        raise SystemExit("core/src/main has uncommitted changes; commit or stash them first")
    for mid in sys.argv[1:] or MUTATIONS:
        run(mid)


if __name__ == "__main__":
    main()
