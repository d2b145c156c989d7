package metrics

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// proc is what the process_* metrics report, read from /proc/self.
type proc struct {
	cpuSeconds, residentBytes, virtualBytes float64
	openFDs, maxFDs, startTime              float64
}

// userHZ is the kernel's clock tick for /proc times (USER_HZ, 100 on every
// Linux architecture Go runs on; reading it would need cgo's sysconf).
const userHZ = 100

// readProc reads /proc/self/stat, /proc/stat, /proc/self/fd and
// /proc/self/limits (see proc(5)). It fails where there is no /proc.
func readProc() (proc, error) {
	var p proc
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return p, errNoProc
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return p, errNoProc
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 22 {
		return p, errNoProc
	}
	field := func(n int) float64 { // n: the field number in proc(5), from 1
		v, _ := strconv.ParseFloat(f[n-3], 64)
		return v
	}
	p.cpuSeconds = (field(14) + field(15)) / userHZ
	p.virtualBytes = field(23)
	p.residentBytes = field(24) * float64(os.Getpagesize())
	if bt, ok := bootTime(); ok {
		p.startTime = bt + field(22)/userHZ
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		p.openFDs = float64(len(fds))
	}
	p.maxFDs = maxOpenFiles()
	return p, nil
}

// bootTime is the "btime" line of /proc/stat: boot time in Unix seconds.
func bootTime() (float64, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			bt, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return bt, err == nil
		}
	}
	return 0, false
}

// maxOpenFiles is the soft limit on open files from /proc/self/limits, 0
// when unknown or unlimited.
func maxOpenFiles() float64 {
	b, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, err := strconv.ParseFloat(f[0], 64)
				if err == nil {
					return v
				}
			}
		}
	}
	return 0
}
