// cleanup.h - what must be undone however rmapcheck ends: worker processes
// to kill, system settings to put back.
//
// The oracle changes the machine (a swap file, mTHP sysfs knobs, a debugfs
// mount) and starts processes. Normal paths undo each change in a destructor
// (host.h, workers.h); this registry is the safety net for the abnormal
// ones: on SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT (a failed assertion)
// and SIGSEGV the handler kills every registered worker, restores every
// registered setting, in reverse order, and re-raises the signal. Everything
// here is fixed-size static storage and async-signal-safe system calls, so
// the handler may run at any point.
#pragma once

#include <sys/types.h>

namespace rmc::kernel {

// Installs the handlers once (idempotent).
void install_cleanup_handlers();

// Workers: registered when started, unregistered when reaped.
void cleanup_add_pid(pid_t pid);
void cleanup_remove_pid(pid_t pid);

// Settings, undone in reverse order of registration. Each returns a handle
// for cleanup_forget (the normal path undid the change itself), or -1 when
// the registry is full (the caller then must not make the change).
int cleanup_restore_file(const char* path, const char* value);  // write value back
int cleanup_swapoff_and_unlink(const char* path);                 // swapoff, then delete
int cleanup_unmount(const char* path);                            // umount2(MNT_DETACH)
int cleanup_unlink(const char* path);                             // delete a file
void cleanup_forget(int handle);

// Kills the workers and undoes the settings now (the signal handler's work).
void run_cleanup();

// In a forked copy of the process: what the parent registered is the
// parent's to undo, so forget it all (without undoing anything).
void cleanup_forget_all();

}  // namespace rmc::kernel
