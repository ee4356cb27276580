// SPDX-License-Identifier: GPL-2.0
/*
 * getpid-loop [N]: calls getpid() N times (default 200000) and prints the
 * nanoseconds per call, measured with CLOCK_MONOTONIC. Each call goes through
 * syscall(SYS_getpid): no libc cache can skip the system call. make bench runs
 * it in the VM under QEMU's -icount, where guest time is a function of the
 * instructions executed ("virtual ns"), unpatched and with getpid() livepatched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	long i, n = argc > 1 ? atol(argv[1]) : 200000;
	struct timespec t0, t1;

	if (n <= 0) {
		fprintf(stderr, "usage: %s [N > 0]\n", argv[0]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
	return 0;
}
