#!/usr/bin/env python3
"""Drive Debian's guest shell under xhv in QEMU and check its answers.

Boots build/xhv with Debian's kernel (tools/fetch-kernel.sh) and the busybox
initramfs (tools/mkinitramfs.sh), waits for the shell prompt on hvc0, runs
commands and checks what comes back:

  date            within 2 s of the host's clock (UTC) while it ran
  sleep 2         takes 2 s (+-0.3 s) by the guest's `time`, and by the
                  host's clock between command and answer (+-0.6 s, TCG)
  /proc/interrupts  the timer event channel's count advances
  /sys/hypervisor   type is "xen"
  poweroff        QEMU exits with status 0, after the hypercall census
  debug key O     (second boot) control/shutdown = poweroff through
                  xenstore powers the guest off: QEMU exits 0
  banner          Linux's own banner through console_io (earlyprintk=xen)
  nproc           the guest sees --smp CPUs
  stress          (--stress S) tests/guest/xhvstress.c for S seconds on
                  every vCPU: fork/mmap/pipe traffic between CPUs and
                  remaps checked from another CPU (a missed remote TLB
                  flush shows); it must PASS, and afterwards the guest's
                  kernel log has no oops/BUG/WARNING/lockup/stall and the
                  shim's log no panic, fatal trap, domain crash or refused
                  page-table update
  -ENOSYS         only where Linux falls back: EVTCHNOP_init_control
                  (FIFO -> 2-level), EVTCHNOP_set_priority (ignored),
                  PHYSDEVOP_pirq_eoi_gmfn_v2 (tolerated), XENPMU_init and
                  XENPMU_finish ("VPMU disabled")

Prints PASS:/FAIL: per check and "N passed, N failed" last; exit status 1
on any failure. Usage: guest-shell.py [--smp N] [--mem MiB] [--timeout S]
[--stress SECONDS] [--no-second-boot]. Check names start with shell-smpN/;
the console log is build/boot/guest-shell-smpN.log.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

PROMPT = b"xhv-guest# "


class Guest:
    def __init__(self, args):
        kernel = subprocess.check_output(["tools/fetch-kernel.sh"]).decode().strip()
        initramfs = subprocess.check_output(["tools/mkinitramfs.sh"]).decode().strip()
        os.makedirs("build/boot", exist_ok=True)
        self.logname = f"build/boot/guest-shell-smp{args.smp}.log"
        self.log = open(self.logname, "wb")
        cmd = ["qemu-system-x86_64", "-machine", "pc,accel=tcg", "-cpu", "qemu64",
               "-m", str(args.mem), "-smp", str(args.smp), "-nodefaults",
               "-display", "none", "-no-reboot", "-serial", "stdio",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-kernel", "build/xhv", "-append", "console=com1",
               "-initrd", f"{kernel} console=hvc0 earlyprintk=xen,{initramfs}"]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""

    def read_until(self, pattern, timeout):
        """Read until the regex (bytes) matches the buffer; return the match."""
        end = time.time() + timeout
        rx = re.compile(pattern, re.S)
        while True:
            m = rx.search(self.buf)
            if m:
                return m
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], min(left, 0.5))
            if r:
                data = os.read(self.p.stdout.fileno(), 4096)
                if not data:
                    return rx.search(self.buf)
                self.log.write(data)
                self.log.flush()
                self.buf += data

    def run(self, command, timeout=60):
        """Send a command; return (output, seconds) once its marker is back."""
        self.buf = b""
        marker = b"__done_%d__" % int(time.time() * 1000)
        start = time.time()
        self.p.stdin.write(command.encode() + b"; echo " + marker + b"\n")
        self.p.stdin.flush()
        # The marker on a line of its own: not the echo of the command.
        m = self.read_until(rb"\n" + re.escape(marker) + rb"\r?\n", timeout)
        took = time.time() - start
        if not m:
            return None, took
        out = self.buf[:m.start() + 1]
        # Drop the echoed command line.
        out = out.split(b"\n", 1)[1] if b"\n" in out else b""
        return out.decode(errors="replace").replace("\r", ""), took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--mem", type=int, default=512)
    ap.add_argument("--timeout", type=int, default=240)
    ap.add_argument("--stress", type=int, default=0)
    ap.add_argument("--no-second-boot", action="store_true")
    args = ap.parse_args()
    passed = failed = 0
    tag = f"shell-smp{args.smp}"

    def check(ok, name, detail=""):
        nonlocal passed, failed
        name = name.replace("shell/", tag + "/", 1)
        print(("PASS: " if ok else "FAIL: ") + name + (f" ({detail})" if detail else ""))
        sys.stdout.flush()
        if ok:
            passed += 1
        else:
            failed += 1

    g = Guest(args)
    final = ""
    booted = g.read_until(re.escape(PROMPT), args.timeout)
    check(booted is not None, "shell/prompt", "busybox prompt on hvc0")
    check(b"Linux version 6.1" in open(g.logname, "rb").read(),
          "shell/banner", "earlyprintk=xen through console_io")
    if booted:
        before = time.time()
        out, _ = g.run("date -u +%s")
        after = time.time()
        try:
            # The guest's second falls in [before, after] (whole seconds,
            # so up to 1 s earlier), give or take the 2 s allowed.
            gs = int(out.strip().splitlines()[-1])
            skew = max(before - 1 - gs, gs - after, 0.0)
            check(skew <= 2, "shell/date",
                  f"guest-host {skew:.1f} s outside the {after - before:.1f} s "
                  "the command took")
        except (AttributeError, ValueError, IndexError):
            check(False, "shell/date", f"output {out!r}")

        out, took = g.run("time sleep 2 2>&1")
        m = re.search(r"real\s+(\d+)m\s*([\d.]+)s", out or "")
        guest_s = int(m.group(1)) * 60 + float(m.group(2)) if m else -1
        check(abs(guest_s - 2.0) <= 0.3, "shell/sleep2-guest", f"guest says {guest_s:.2f} s")
        check(abs(took - 2.0) <= 0.6, "shell/sleep2-host", f"host saw {took:.2f} s")

        def timer_count():
            o, _ = g.run("grep -i timer /proc/interrupts | head -n 1")
            nums = re.findall(r"\s(\d+)\s", " " + (o or "") + " ")
            return int(nums[0]) if nums else -1
        a = timer_count()
        g.run("sleep 1")
        b = timer_count()
        check(a >= 0 and b > a, "shell/timer-interrupts", f"{a} -> {b}")

        out, _ = g.run("ls /sys/hypervisor && cat /sys/hypervisor/type")
        check(out is not None and "xen" in out.split(), "shell/sys-hypervisor",
              (out or "").strip().replace("\n", " "))

        out, _ = g.run("nproc")
        n = (out or "").strip().splitlines()
        check(n[-1:] == [str(args.smp)], "shell/nproc",
              f"guest says {n[-1] if n else '?'}, -smp {args.smp}")

        if args.stress:
            out, took = g.run(f"xhvstress {args.stress}", args.stress + 300)
            m = re.search(r"xhvstress: (PASS|FAIL).*", out or "")
            check(m is not None and m.group(1) == "PASS", "shell/stress",
                  (m.group(0) if m else f"no answer after {took:.0f} s") +
                  f", {took:.0f} s")
            out, _ = g.run("dmesg | grep -icE 'oops|BUG:|WARNING:|soft lockup|"
                           "rcu.*stall|general protection|segfault'")
            cnt = (out or "").strip().splitlines()
            check(cnt[-1:] == ["0"], "shell/stress-guest-log",
                  f"{cnt[-1] if cnt else '?'} suspicious kernel messages")
            log = open(g.logname, "rb").read().decode(errors="replace")
            bad = [l for l in log.splitlines() if l.startswith("(xhv)") and
                   re.search(r"Panic|FATAL|crashed|refused|BUG", l)]
            check(not bad, "shell/stress-shim-log",
                  bad[0] if bad else "no shim error")

        g.buf = b""
        g.p.stdin.write(b"poweroff\n")
        g.p.stdin.flush()
        g.read_until(rb"\A(?!x)x", 60)     # never matches: read to EOF
        final = g.buf.decode(errors="replace").replace("\r", "")
    try:
        rc = g.p.wait(60 if booted else 1)
    except subprocess.TimeoutExpired:
        g.p.kill()
        rc = "timeout"
    if booted:
        check(rc == 0, "shell/poweroff", f"QEMU exit status {rc}")
        check("Hypercalls:" in final, "shell/census", "printed at shutdown")
        # -ENOSYS only where Linux is known to fall back (docs/hypercalls.md)
        allowed = {("event_channel_op", "11"), ("event_channel_op", "13"),
                   ("physdev_op", "28"), ("xenpmu_op", "4"),
                   ("xenpmu_op", "5")}
        seen, name = set(), None
        for line in final.splitlines():
            m = re.match(r"\(xhv\)\s+\d+ (\w+)\s+\d+", line)
            if m:
                name = m.group(1)
            m = re.match(r"\(xhv\)\s+sub-op (\d+)\s+\d+\s+-ENOSYS", line)
            if m and name:
                seen.add((name, m.group(1)))
        check(seen <= allowed, "shell/enosys-documented",
              "unexpected: " + ", ".join(f"{a} {b}" for a, b in sorted(seen - allowed))
              if seen - allowed else "only " + ", ".join(f"{a} {b}" for a, b in sorted(seen)))
    if args.no_second_boot:
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
    # Shutdown from outside: the debug key writes control/shutdown, the
    # guest's watch fires and Linux powers off (/sbin/poweroff).
    g = Guest(args)
    if g.read_until(re.escape(PROMPT), args.timeout):
        time.sleep(1)
        g.p.stdin.write(b"\x01\x01\x01")
        g.p.stdin.flush()
        time.sleep(1)
        g.p.stdin.write(b"O")
        g.p.stdin.flush()
        g.read_until(rb"\A(?!x)x", 90)
        try:
            rc = g.p.wait(30)
        except subprocess.TimeoutExpired:
            g.p.kill()
            rc = "timeout"
        check(rc == 0 and b"control/shutdown" in g.buf, "shell/xenstore-shutdown",
              f"debug key O, QEMU exit status {rc}")
    else:
        g.p.kill()
        check(False, "shell/xenstore-shutdown", "no prompt on the second boot")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
