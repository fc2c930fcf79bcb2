package dev.berth.runtime.oci;

import dev.berth.runtime.oci.OciModel.Seccomp;
import dev.berth.runtime.oci.OciModel.Syscall;
import dev.berth.runtime.oci.OciModel.SyscallArg;
import java.util.ArrayList;
import java.util.List;

/**
 * Berth's default seccomp profile: an allow-list with EPERM for everything else, blocking what Docker's
 * default profile blocks. Syscalls that only an administrator needs are allowed when the container holds
 * the capability that gates them (so {@code --cap-add SYS_ADMIN} brings back mount, setns, unshare, ...),
 * as Docker's profile does. Without CAP_SYS_ADMIN, clone may not make namespaces and clone3 (whose flags
 * seccomp cannot read) answers ENOSYS so that libc falls back to clone.
 */
public final class SeccompProfile {
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int AF_VSOCK = 40;
    /** CLONE_NEWNS | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWCGROUP. */
    private static final long CLONE_NAMESPACES = 0x00020000L | 0x04000000L | 0x08000000L | 0x10000000L
            | 0x20000000L | 0x40000000L | 0x02000000L;
    static final List<String> ARCHITECTURES = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");

    /** When a row applies. */
    sealed interface When {
        boolean holds(List<String> caps);
    }

    record Always() implements When {
        public boolean holds(List<String> caps) { return true; }
    }

    record WithCap(String cap) implements When {
        public boolean holds(List<String> caps) { return caps.contains(cap); }
    }

    record WithoutCap(String cap) implements When {
        public boolean holds(List<String> caps) { return !caps.contains(cap); }
    }

    record KernelAtLeast(int major, int minor) implements When {
        public boolean holds(List<String> caps) { return HostLimits.kernelAtLeast(major, minor); }
    }

    /** One row of the table: these syscalls get this action (with these argument conditions) when {@code when} holds. */
    record Row(String why, When when, String action, Integer errno, List<SyscallArg> args, List<String> names) {}

    private static final When ALWAYS = new Always();

    /** The table, in the order it is written into the spec. */
    static final List<Row> TABLE = List.of(
            allow("what ordinary programs use: files, sockets, memory, signals, time, processes, IPC", ALWAYS,
                    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
                    "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
                    "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
                    "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
                    "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
                    "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
                    "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
                    "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
                    "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
                    "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
                    "ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd",
                    "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
                    "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
                    "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
                    "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt",
                    "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
                    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl",
                    "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
                    "ioprio_set", "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup",
                    "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
                    "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
                    "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier",
                    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
                    "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
                    "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
                    "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
                    "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
                    "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
                    "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
                    "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
                    "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
                    "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
                    "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
                    "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
                    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
                    "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
                    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
                    "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
                    "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
                    "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
                    "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
                    "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
                    "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
                    "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
                    "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
                    "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
                    "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
                    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
                    "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
                    "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
                    "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
                    "wait4", "waitid", "waitpid", "write", "writev"),
            allow("x86 thread-local storage and segment setup", ALWAYS, "arch_prctl", "modify_ldt"),
            allow("ptrace stopped leaking seccomp bypasses in 4.8; older kernels keep it blocked", new KernelAtLeast(4, 8),
                    "ptrace", "process_vm_readv", "process_vm_writev"),
            new Row("every socket family except vsock (it reaches the hypervisor, not the container's network)", ALWAYS,
                    "SCMP_ACT_ALLOW", null, List.of(new SyscallArg(0, AF_VSOCK, 0, "SCMP_CMP_NE")), List.of("socket")),
            personality(0x0), personality(0x0008), personality(0x20000), personality(0x20008), personality(0xffffffffL),
            allow("file handles reach outside the container's root", new WithCap("CAP_DAC_READ_SEARCH"), "open_by_handle_at"),
            allow("mounts, namespaces, BPF, perf, quotas, hostnames: administration", new WithCap("CAP_SYS_ADMIN"),
                    "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                    "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                    "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
                    "umount2", "unshare"),
            new Row("threads and forks, but no new namespaces", new WithoutCap("CAP_SYS_ADMIN"), "SCMP_ACT_ALLOW", null,
                    List.of(new SyscallArg(0, CLONE_NAMESPACES, 0, "SCMP_CMP_MASKED_EQ")), List.of("clone")),
            new Row("clone3's flags are in memory seccomp cannot read: ENOSYS makes libc fall back to clone",
                    new WithoutCap("CAP_SYS_ADMIN"), "SCMP_ACT_ERRNO", ENOSYS, null, List.of("clone3")),
            allow("reboot", new WithCap("CAP_SYS_BOOT"), "reboot"),
            allow("chroot", new WithCap("CAP_SYS_CHROOT"), "chroot"),
            allow("kernel modules", new WithCap("CAP_SYS_MODULE"), "delete_module", "init_module", "finit_module"),
            allow("process accounting", new WithCap("CAP_SYS_PACCT"), "acct"),
            allow("reading other processes", new WithCap("CAP_SYS_PTRACE"),
                    "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"),
            allow("I/O ports", new WithCap("CAP_SYS_RAWIO"), "iopl", "ioperm"),
            allow("setting the clock", new WithCap("CAP_SYS_TIME"), "settimeofday", "stime", "clock_settime", "clock_settime64"),
            allow("hanging up terminals", new WithCap("CAP_SYS_TTY_CONFIG"), "vhangup"),
            allow("NUMA memory policy and page moves", new WithCap("CAP_SYS_NICE"),
                    "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", "move_pages"),
            allow("the kernel log", new WithCap("CAP_SYSLOG"), "syslog"),
            allow("BPF", new WithCap("CAP_BPF"), "bpf"),
            allow("performance monitoring", new WithCap("CAP_PERFMON"), "perf_event_open"));

    private SeccompProfile() {}

    /**
     * The profile for a process holding {@code bounding} capabilities. Everything not listed (kexec,
     * keyrings, swapon, userfaultfd, uselib, vm86, nfsservctl, create_module, ...) fails with EPERM.
     */
    public static Seccomp forCapabilities(List<String> bounding) {
        List<Syscall> rules = new ArrayList<>();
        for (Row r : TABLE) {
            if (r.when().holds(bounding)) rules.add(new Syscall(r.names(), r.action(), r.errno(), r.args()));
        }
        return new Seccomp("SCMP_ACT_ERRNO", EPERM, ARCHITECTURES, List.copyOf(rules));
    }

    private static Row allow(String why, When when, String... names) {
        return new Row(why, when, "SCMP_ACT_ALLOW", null, null, List.of(names));
    }

    /** personality(2) only with the values programs use: Linux, 32-bit and address-layout ones, and the query. */
    private static Row personality(long value) {
        return new Row("personality " + Long.toHexString(value), ALWAYS, "SCMP_ACT_ALLOW", null,
                List.of(new SyscallArg(0, value, 0, "SCMP_CMP_EQ")), List.of("personality"));
    }
}
