package kannel_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"lindu/internal/intake/kannel"
)

const (
	bearerbox = "/usr/sbin/bearerbox"
	smsbox    = "/usr/sbin/smsbox"
	fakesmsc  = "/usr/lib/kannel/test/fakesmsc"
)

// needKannel skips without the Kannel binaries, unless the test command
// requires them (LINDU_TEST_REQUIRE_KANNEL=1).
func needKannel(t *testing.T) {
	t.Helper()
	for _, p := range []string{bearerbox, smsbox, fakesmsc} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("LINDU_TEST_REQUIRE_KANNEL") == "1" {
				t.Fatalf("LINDU_TEST_REQUIRE_KANNEL=1 but %s is missing", p)
			}
			t.Skipf("%s missing (install kannel and kannel-extras)", p)
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// gateway is a running Kannel: bearerbox with a fake SMSC and smsbox
// calling lindu.
type gateway struct {
	t                              *testing.T
	dir, conf                      string
	smscPort, sendsmsPort, boxPort int
	bb, sb                         *exec.Cmd
	exited                         map[*exec.Cmd]chan struct{} // closed when a box has exited (startBox)
	phones                         []*phone
	mu                             sync.Mutex
}

func startGateway(t *testing.T, st kannel.Settings, retries int) *gateway {
	t.Helper()
	needKannel(t)
	// Ports are picked free and bound by Kannel a moment later: in a full
	// test run another process sometimes takes one in between, and the box
	// panics ("bind failed"). Then Kannel starts again on other ports.
	for attempt := 1; ; attempt++ {
		g := &gateway{t: t, dir: t.TempDir(), smscPort: freePort(t), sendsmsPort: freePort(t), boxPort: freePort(t)}
		g.configure(st, retries)
		var ok bool
		if g.bb, ok = g.startBox(bearerbox, "bearerbox", g.boxPort); ok {
			if g.sb, ok = g.startBox(smsbox, "smsbox", g.sendsmsPort); ok {
				t.Cleanup(g.stop)
				return g
			}
		}
		g.kill()
		if attempt == 3 {
			t.Cleanup(g.stop) // shows the logs
			t.Fatalf("Kannel did not start on free ports in %d attempts", attempt)
		}
		t.Logf("Kannel did not start (a port was taken before it bound it); again on other ports")
	}
}

// configure writes g's kannel.conf.
func (g *gateway) configure(st kannel.Settings, retries int) {
	admin := freePort(g.t)
	conf := fmt.Sprintf(`group = core
admin-port = %d
admin-password = test
admin-interface = 127.0.0.1
admin-allow-ip = "127.0.0.1"
smsbox-port = %d
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "%s/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = FAKE
port = %d
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = %d
sendsms-port = %d
sendsms-interface = 127.0.0.1
log-file = "%s/smsbox.log"
log-level = 1
http-request-retry = %d
http-queue-delay = 1
reply-couldnotfetch = %q
reply-requestfailed = %q

`, admin, g.boxPort, g.dir, g.smscPort, g.boxPort, g.sendsmsPort, g.dir, retries, kannel.ReplyCouldNotFetch, kannel.ReplyRequestFailed)
	conf += kannel.Config(st, retries, 1)
	g.conf = filepath.Join(g.dir, "kannel.conf")
	if err := os.WriteFile(g.conf, []byte(conf), 0o600); err != nil {
		g.t.Fatal(err)
	}
}

func (g *gateway) start(bin, out string, args ...string) *exec.Cmd {
	f, err := os.Create(filepath.Join(g.dir, out))
	if err != nil {
		g.t.Fatal(err)
	}
	cmd := exec.Command(bin, append(args, g.conf)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	return cmd
}

func (g *gateway) startSmsbox() {
	var ok bool
	if g.sb, ok = g.startBox(smsbox, "smsbox", g.sendsmsPort); !ok {
		g.t.Fatalf("smsbox did not start again (its port %d was taken)", g.sendsmsPort)
	}
}

// startBox starts a Kannel box (name: bearerbox or smsbox) and waits for
// it to listen on port. false means the box panicked or exited at start,
// as it does when another process took the port: the port's owner is then
// not known, so the box's log decides, a moment after the port opened.
func (g *gateway) startBox(bin, name string, port int) (*exec.Cmd, bool) {
	g.t.Helper()
	cmd := g.start(bin, name+".out")
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	panicked := func() bool {
		b, _ := os.ReadFile(filepath.Join(g.dir, name+".log"))
		return bytes.Contains(b, []byte("PANIC"))
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil, false
		default:
		}
		if panicked() {
			_ = cmd.Process.Kill()
			<-exited
			return nil, false
		}
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond); err == nil {
			c.Close()
			select {
			case <-exited:
				return nil, false
			case <-time.After(200 * time.Millisecond):
			}
			if panicked() {
				_ = cmd.Process.Kill()
				<-exited
				return nil, false
			}
			if g.exited == nil {
				g.exited = map[*exec.Cmd]chan struct{}{}
			}
			g.exited[cmd] = exited
			return cmd, true
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.t.Fatalf("%s: port %d did not open", name, port)
	return nil, false
}

// kill stops what runs of a gateway that did not start, keeping its logs
// out of the test's (they are of a start that is tried again).
func (g *gateway) kill() {
	for _, c := range []*exec.Cmd{g.sb, g.bb} {
		if c != nil {
			_ = c.Process.Kill()
			g.wait(c)
		}
	}
	g.sb, g.bb = nil, nil
}

// wait waits for a box startBox started to exit.
func (g *gateway) wait(c *exec.Cmd) {
	<-g.exited[c]
}

func (g *gateway) stopSmsbox() {
	if g.sb != nil {
		g.sb.Process.Kill()
		g.wait(g.sb)
		g.sb = nil
	}
}

func (g *gateway) stop() {
	for _, p := range g.phones {
		p.stop()
	}
	g.stopSmsbox()
	if g.bb != nil {
		g.bb.Process.Kill()
		g.wait(g.bb)
	}
	// A crashed box is a failure even when the messages got through: lindu
	// must not crash Kannel (smsbox 1.4.5 panics on a sendsms request made
	// before it has connected to bearerbox; see kannel.RestartSettle).
	for _, f := range []string{"bearerbox.log", "smsbox.log"} {
		if b, _ := os.ReadFile(filepath.Join(g.dir, f)); bytes.Contains(b, []byte("PANIC")) {
			g.t.Errorf("%s: Kannel panicked", f)
		}
	}
	if g.t.Failed() {
		for _, f := range []string{"bearerbox.log", "smsbox.log", "smsbox.out"} {
			b, _ := os.ReadFile(filepath.Join(g.dir, f))
			if len(b) > 30000 {
				b = b[len(b)-30000:]
			}
			g.t.Logf("--- %s (tail)\n%s", f, b)
		}
	}
}

func (g *gateway) sendsmsURL() string {
	return "http://127.0.0.1:" + strconv.Itoa(g.sendsmsPort) + "/cgi-bin/sendsms"
}

func waitPort(t testing.TB, port int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("port %d did not open", port)
}

// phone is a fakesmsc: the phone network. It sends count messages (chosen
// among msgs) and prints every message Kannel sends it.
type phone struct {
	cmd *exec.Cmd
	out *safeBuf
}

type safeBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
	// got counts the "Got message" lines of the complete lines up to
	// scanned, so that waiting for replies does not copy the whole output
	// every few milliseconds (the round-trip benchmark polls it, in the
	// process it measures).
	got, scanned int
}

func (s *safeBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	all := s.b.Bytes()
	if end := bytes.LastIndexByte(all, '\n'); end >= s.scanned {
		s.got += bytes.Count(all[s.scanned:end+1], []byte("Got message"))
		s.scanned = end + 1
	}
	return n, err
}

// gotMessages is how many complete "Got message" lines fakesmsc printed:
// SMS that reached the phone.
func (s *safeBuf) gotMessages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got
}

func (s *safeBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// phone starts a fakesmsc after stopping the previous one (the fake SMSC
// takes one connection at a time).
func (g *gateway) phone(count int, interval float64, msgs ...string) *phone {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.phones {
		p.stop()
	}
	args := []string{"-H", "127.0.0.1", "-r", strconv.Itoa(g.smscPort), "-i", strconv.FormatFloat(interval, 'f', 3, 64),
		"-m", strconv.Itoa(count)}
	p := &phone{out: &safeBuf{}}
	p.cmd = exec.Command(fakesmsc, append(args, msgs...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	g.phones = append(g.phones, p)
	return p
}

func (p *phone) stop() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

var gotRE = regexp.MustCompile(`Got message \d+: <(\S+) (\S+) (\S+) (.*)>`)
var sentRE = regexp.MustCompile(`sent message (\d+)`)

// received lists the texts delivered to phone number to, on every phone.
func (g *gateway) received(to string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, p := range g.phones {
		sc := bufio.NewScanner(bytes.NewReader([]byte(p.out.String())))
		for sc.Scan() {
			if m := gotRE.FindStringSubmatch(sc.Text()); m != nil && (to == "" || m[2] == to) {
				out = append(out, m[4])
			}
		}
	}
	return out
}

// sent is how many messages p has sent.
func (p *phone) sent() int {
	n := 0
	for _, m := range sentRE.FindAllStringSubmatch(p.out.String(), -1) {
		n, _ = strconv.Atoi(m[1])
	}
	return n
}

func eventually(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
