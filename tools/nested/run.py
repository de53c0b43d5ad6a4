#!/usr/bin/env python3
"""Run xhv nested: L0 QEMU TCG (AMD SVM) -> L1 Debian + kvm_amd -> L2 QEMU/KVM
with Hyper-V enlightenments -> xhv -> Debian's PV guest.

  L0  qemu-system-x86_64 -accel tcg -machine q35 -cpu qemu64,+svm,+npt -smp 1
      booting the L1 image of tools/nested/build-l1.sh (tsc=reliable)
  L1  /sbin/xhv-l1-init: kvm_amd, mounts the share folder (9p tag "host"),
      runs l1.sh from it, powers off
  L2  one QEMU/KVM run per scenario (see tools/nested/l1.sh for the fields)

The share folder (default build/nested/share, recreated) gets build/xhv,
the guest kernel, the guest initramfs (tools/nested/mkinitramfs.sh), l1.sh
and the scenario list; L1 writes results to share/out/ (<name>.rc, .log,
.secs, .attempts, .sysevents). This script adds <name>.marks: the host's
time (seconds since L0 started) of each "xhvtest: mark <label>" line and
of the scenario's begin and end.

The whole serial output of all levels goes to the log (default
build/nested/serial.log), each line prefixed with the host's time; with
--verbose also to stdout. L0 runs under `timeout -s KILL` with what is
left of --deadline; when L1 does not finish its list (hung, killed), L0 is
started once more and L1 resumes with the scenarios that have no result.
L1 counts as wedged (L0 killed, then booted again) when its heartbeat file
share/out/heartbeat is older than --stall seconds.

  run.py --scenarios FILE      run them; exit 0 when L1 finished the list
  run.py --shell [--smp N]     interactive: L2's guest shell on this
                               terminal (Ctrl-A X quits L0)
Prints "nested: ..." summary lines (L1 boot time, per-scenario status and
times). Exit status 77 when the L1 image cannot be built (reason printed).
SIGTERM or SIGINT while running scenarios kills the L0 QEMU (its own
session) and exits 128 + the signal.
"""
import argparse
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HV_FLAGS = ("hv-relaxed,hv-vpindex,hv-time,hv-synic,hv-stimer,hv-stimer-direct,"
            "hv-tlbflush,hv-ipi,hv-crash,hv-reset,hv-frequencies,hv-runtime")
L1_APPEND = "console=ttyS0 panic=-1 loglevel=4 tsc=reliable"
SKIP = 77
# The L0 QEMU running now (its own process group), for the signal handler.
_l0 = [None]


def note(msg):
    print("nested: " + msg, flush=True)


def tool(*cmd):
    """Run one of our tools; its stdout (a path), or None with its status."""
    p = subprocess.run(cmd, cwd=TOP, stdout=subprocess.PIPE)
    if p.returncode != 0:
        return None, p.returncode
    return p.stdout.decode().strip(), 0


def l0_command(image, share, mem, interactive):
    serial = "mon:stdio" if interactive else "stdio"
    return ["qemu-system-x86_64", "-accel", "tcg", "-machine", "q35",
            "-cpu", "qemu64,+svm,+npt", "-smp", "1", "-m", str(mem),
            "-nodefaults", "-display", "none", "-no-reboot", "-serial", serial,
            "-kernel", os.path.join(image, "vmlinuz"),
            "-initrd", os.path.join(image, "initrd.gz"),
            "-append", L1_APPEND,
            "-drive", "file=%s,if=virtio,format=raw,readonly=on"
            % os.path.join(image, "root.img"),
            "-virtfs", "local,path=%s,mount_tag=host,security_model=none" % share]


def prepare_share(share, args, scenarios_text):
    if os.path.isdir(share):
        shutil.rmtree(share)
    os.makedirs(os.path.join(share, "out"))
    shutil.copyfile(args.xhv, os.path.join(share, "xhv"))
    shutil.copyfile(args.kernel, os.path.join(share, "vmlinuz"))
    shutil.copyfile(args.initramfs, os.path.join(share, "initramfs.cpio.gz"))
    shutil.copyfile(os.path.join(TOP, "tools/nested/l1.sh"), os.path.join(share, "l1.sh"))
    for f in args.file or []:
        shutil.copyfile(f, os.path.join(share, os.path.basename(f)))
    with open(os.path.join(share, "scenarios"), "w") as f:
        f.write(scenarios_text)


def run_l0(cmd, timeout, log, share, t_start, verbose, stall):
    """One L0 boot; returns (exit status or "stalled", L1-ready time or None).

    L0 runs under `timeout -s KILL` in its own process group; it is killed
    early when L1's heartbeat (out/heartbeat, rewritten every 10 s by
    l1.sh) is older than `stall` seconds: L1 is wedged."""
    out = os.path.join(share, "out")
    hb = os.path.join(out, "heartbeat")
    full = ["timeout", "-s", "KILL", str(int(timeout))] + cmd
    p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    _l0[0] = p
    t_boot = time.time()
    ready = None
    marks = None
    stalled = False
    begin = re.compile(rb"xhv-l1: begin ([A-Za-z0-9_.-]+)")
    end = re.compile(rb"xhv-l1: end ([A-Za-z0-9_.-]+):")
    mark = re.compile(rb"xhvtest: mark ([A-Za-z0-9_-]+)")
    buf = b""
    fd = p.stdout.fileno()
    while True:
        r, _, _ = select.select([fd], [], [], 2.0)
        data = os.read(fd, 65536) if r else None
        if data == b"":
            break
        if data:
            buf += data
        # The newest sign of life: L1's heartbeat file, or L0 start before it.
        try:
            alive = max(os.path.getmtime(hb), t_boot)
        except OSError:
            alive = t_boot
        limit = stall if ready is not None else max(stall, 180)
        if time.time() - alive > limit and not stalled:
            stalled = True
            msg = b"---- run.py: no L1 heartbeat for %d s: L1 is wedged, killing L0" % limit
            log.write(b"[%9.3f] %s\n" % (time.time() - t_start, msg))
            note("no L1 heartbeat for %d s: L1 is wedged, killing L0" % limit)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            t = time.time() - t_start
            line = raw.replace(b"\r", b"")
            log.write(b"[%9.3f] " % t + line + b"\n")
            log.flush()
            if verbose:
                sys.stdout.buffer.write(line + b"\n")
                sys.stdout.flush()
            if ready is None and b"xhv-l1: ready at" in line:
                ready = t
            m = begin.search(line)
            if m:
                if marks:
                    marks.close()
                marks = open(os.path.join(out, m.group(1).decode(errors="replace") + ".marks"), "w")
                marks.write("begin %.3f\n" % t)
            if marks:
                m = mark.search(line)
                if m:
                    marks.write("%s %.3f\n" % (m.group(1).decode(errors="replace"), t))
                if end.search(line):
                    marks.write("end %.3f\n" % t)
                    marks.close()
                    marks = None
    if buf:
        log.write(b"[%9.3f] " % (time.time() - t_start) + buf + b"\n")
    if marks:
        marks.close()
    rc = p.wait()
    try:
        os.killpg(p.pid, signal.SIGKILL)     # nothing of this boot survives
    except ProcessLookupError:
        pass
    _l0[0] = None
    return ("stalled" if stalled else rc), ready


def on_signal(signum, frame):
    """SIGTERM/SIGINT while running scenarios: L0 runs in its own session
    (its hard limit holds without us), so end it here rather than leave it
    running until --deadline; then exit 128 + the signal."""
    p = _l0[0]
    if p is not None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    note("stopped by signal %d%s" % (signum, "; L0 killed" if p is not None else ""))
    sys.exit(128 + signum)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenarios", help="scenario list (fields: see l1.sh)")
    ap.add_argument("--shell", action="store_true", help="interactive L2 guest shell")
    ap.add_argument("--smp", type=int, default=2, help="L2 vCPUs for --shell")
    ap.add_argument("--cpu", default=HV_FLAGS, help="hv flags for --shell")
    ap.add_argument("--image", help="L1 image directory (default: build-l1.sh)")
    ap.add_argument("--share", help="the folder L1 mounts (recreated; default "
                    "build/nested/share, build/nested/shell-share with --shell)")
    ap.add_argument("--log", default=os.path.join(TOP, "build/nested/serial.log"))
    ap.add_argument("--xhv", default=os.path.join(TOP, "build/xhv"))
    ap.add_argument("--file", action="append",
                    help="one more file for the share folder (e.g. another L2 kernel)")
    ap.add_argument("--kernel", help="guest kernel (default: tools/fetch-kernel.sh)")
    ap.add_argument("--initramfs", help="guest initramfs (default: tools/nested/mkinitramfs.sh)")
    ap.add_argument("--l1-mem", type=int, default=1024)
    ap.add_argument("--deadline", type=int,
                    help="seconds for all L0 boots together (default 1200; --shell 3600)")
    ap.add_argument("--stall", type=int, default=90,
                    help="kill L0 when L1's heartbeat is this old (s, default 90)")
    ap.add_argument("--verbose", action="store_true", help="serial output on stdout too")
    args = ap.parse_args()
    if not args.shell and not args.scenarios:
        ap.error("--scenarios FILE or --shell")
    if args.deadline is None:
        args.deadline = 3600 if args.shell else 1200
    if args.share is None:
        args.share = os.path.join(TOP, "build/nested/shell-share" if args.shell
                                  else "build/nested/share")

    t_start = time.time()
    if not os.path.isfile(args.xhv):
        note("no %s (make build/xhv)" % args.xhv)
        return 1
    if not args.image:
        t0 = time.time()
        args.image, rc = tool("tools/nested/build-l1.sh")
        if rc == SKIP:
            note("SKIP: the L1 image cannot be built on this machine (see above)")
            return SKIP
        if rc:
            note("tools/nested/build-l1.sh failed (status %d)" % rc)
            return 1
        note("L1 image %s (%.0f s)" % (args.image, time.time() - t0))
    if not args.kernel:
        args.kernel, rc = tool("tools/fetch-kernel.sh")
        if rc:
            note("cannot fetch Debian's kernel (tools/fetch-kernel.sh)")
            return 1
    if not args.initramfs:
        args.initramfs, rc = tool("tools/nested/mkinitramfs.sh")
        if rc:
            note("cannot build the guest initramfs")
            return 1
        args.initramfs = os.path.join(TOP, args.initramfs)

    if args.shell:
        text = "shell|%d|%d|512|%s|xhv|console=com1|console=hvc0 earlyprintk=xen|\n" % (
            args.deadline, args.smp, args.cpu)
    else:
        with open(args.scenarios) as f:
            text = f.read()
    names = [ln.split("|")[0].strip() for ln in text.splitlines()
             if ln.strip() and not ln.startswith("#")]
    share = os.path.abspath(args.share)
    prepare_share(share, args, text)
    cmd = l0_command(os.path.abspath(args.image), share, args.l1_mem, args.shell)

    if args.shell:
        note("L0 TCG -> L1 -> L2 KVM (-smp %d, %s); Ctrl-A X quits" % (args.smp, args.cpu))
        # --foreground: QEMU must be in the terminal's foreground process
        # group to read from it.
        return subprocess.call(["timeout", "--foreground", "-s", "KILL",
                                str(args.deadline)] + cmd)

    os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
    out = os.path.join(share, "out")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    done = False
    with open(args.log, "wb") as log:
        for boot in (1, 2):
            left = args.deadline - (time.time() - t_start)
            if left < 60:
                note("no time left for L0 boot %d (deadline %d s)" % (boot, args.deadline))
                break
            t0 = time.time()
            log.write(b"[%9.3f] ---- L0 boot %d: %s\n" % (
                t0 - t_start, boot, " ".join(cmd).encode()))
            rc, ready = run_l0(cmd, left, log, share, t_start, args.verbose, args.stall)
            took = time.time() - t0
            if ready is not None:
                note("L0 boot %d: L1 ready %.1f s after L0 start" % (boot, ready - (t0 - t_start)))
            done = os.path.exists(os.path.join(out, "l1-done"))
            why = {137: " (killed by the deadline)", "stalled": " (L1 wedged)"}.get(rc, "")
            note("L0 boot %d: QEMU exit status %s after %.1f s%s" % (
                boot, rc, took, "" if done else " - L1 did not finish its list" + why))
            if os.path.exists(os.path.join(out, "l1-fatal")):
                with open(os.path.join(out, "l1-fatal")) as f:
                    note("L1: " + f.read().strip())
                break
            if done:
                break
    for n in names:
        def rd(ext):
            try:
                with open(os.path.join(out, "%s.%s" % (n, ext))) as f:
                    return f.read().strip()
            except OSError:
                return None
        rc = rd("rc")
        if rc is None:
            note("scenario %s: no result" % n)
        else:
            note("scenario %s: exit status %s, %s s in L1 (attempts %s)" % (
                n, rc, rd("secs"), rd("attempts")))
    note("total %.1f s; serial log %s" % (time.time() - t_start, args.log))
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
