// Command loginload is the login load test of issue 9: 200 parallel wrong
// logins (for one username from one address, or with -spread each from its
// own address and username) while a legitimate user logs in from another
// address; it prints the legitimate logins' latencies and the server's peak
// RSS. Run lindu with LINDU_TRUST_PROXY=1 (addresses come from
// X-Forwarded-For), e.g.
//
//	LINDU_TRUST_PROXY=1 lindu serve --demo --addr 127.0.0.1:18090 --data-dir "$(mktemp -d)" &
//	go run ./scripts/loginload -pid $! -pass <admin password printed at start>
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func login(base, user, pass, xff string) (int, time.Duration) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 120 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t0 := time.Now()
	req, _ := http.NewRequest("GET", base+"/login", nil)
	req.Header.Set("X-Forwarded-For", xff)
	resp, err := c.Do(req)
	if err != nil {
		return -1, time.Since(t0)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(body)
	if m == nil {
		return -2, time.Since(t0)
	}
	f := url.Values{"csrf": {string(m[1])}, "username": {user}, "password": {pass}}
	req, _ = http.NewRequest("POST", base+"/login", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", xff)
	req.Header.Set("Origin", base)
	resp, err = c.Do(req)
	if err != nil {
		return -1, time.Since(t0)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		resp.Body.Close()
		return -1, time.Since(t0)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(t0)
}

func hwm(pid string) string {
	b, _ := os.ReadFile("/proc/" + pid + "/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "")
	pid := flag.String("pid", "", "")
	user := flag.String("user", "admin", "")
	pass := flag.String("pass", "", "")
	target := flag.String("target", "supervisor", "")
	dur := flag.Duration("d", 30*time.Second, "")
	spread := flag.Bool("spread", false, "each attacker its own address and username")
	flag.Parse()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var codes sync.Map
	var n atomic.Int64
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := n.Add(1)
				u, ip := *target, "203.0.113.9"
				if *spread {
					u, ip = fmt.Sprintf("user%d-%d", i, k), fmt.Sprintf("10.%d.%d.%d", k%250, (k/250)%250, i)
				}
				code, _ := login(*base, u, fmt.Sprintf("wrong-%d-%d", i, k), ip)
				v, _ := codes.LoadOrStore(code, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		}(i)
	}
	time.Sleep(2 * time.Second)
	var lat []time.Duration
	var legit []int
	deadline := time.Now().Add(*dur)
	for time.Now().Before(deadline) {
		code, d := login(*base, *user, *pass, "198.51.100.7")
		lat = append(lat, d)
		legit = append(legit, code)
		time.Sleep(500 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("legit logins: %d, codes %v\n", len(lat), legit)
	if len(lat) > 0 {
		fmt.Printf("legit latency: min %v median %v max %v\n", lat[0].Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	}
	codes.Range(func(k, v any) bool { fmt.Printf("attacker answers %v: %d\n", k, v.(*atomic.Int64).Load()); return true })
	fmt.Printf("server peak RSS (VmHWM): %s\n", hwm(*pid))
}
