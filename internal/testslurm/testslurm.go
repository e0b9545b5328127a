// Package testslurm starts a one-node Slurm cluster for a test: munged,
// slurmctld and slurmd run as the test's child processes (no init system
// needed), with their key, state, spool and logs in a temporary folder and
// their ports on the loopback interface. When the test ends every job is
// cancelled and waited for, every daemon is stopped by its PID, and no
// process naming the folder is left.
package testslurm

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Cluster is a running one-node Slurm.
type Cluster struct {
	t testing.TB
	// Dir holds everything the cluster writes.
	Dir string
	// Conf is its slurm.conf; SLURM_CONF=Conf points Slurm's commands at it.
	Conf    string
	paths   map[string]string // where each program is
	daemons []*exec.Cmd
}

// How long the daemons may take to come up, and jobs to end at the stop.
const (
	startTimeout = 30 * time.Second
	drainTimeout = 30 * time.Second
)

// Start starts a cluster whose one node, localhost, has cpus processors,
// and stops it when the test ends.
func Start(t testing.TB, cpus int) *Cluster {
	t.Helper()
	programs := map[string]string{}
	for _, name := range []string{"munged", "slurmctld", "slurmd", "sbatch"} {
		programs[name] = lookPath(t, name)
	}
	dir, err := os.MkdirTemp("", "auwatchd-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, Dir: dir, Conf: filepath.Join(dir, "slurm.conf"), paths: programs}
	t.Cleanup(c.stop)
	// munged requires every folder above its socket to be searchable by all.
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	c.writeConfig(cpus)
	c.startMunge()
	c.startDaemon("slurmctld", "-D", "-i", "-f", c.Conf)
	c.startDaemon("slurmd", "-D", "-N", "localhost", "-f", c.Conf)
	c.waitIdle()
	return c
}

// lookPath finds one of Slurm's or MUNGE's programs on the PATH, or in
// /usr/sbin, where Debian puts the daemons and which a user's PATH may
// lack.
func lookPath(t testing.TB, name string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	path := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is not installed (run `make deps`): %v", name, err)
	}
	return path
}

// Env returns the environment Slurm's commands need to reach the cluster.
func (c *Cluster) Env() []string {
	return append(os.Environ(), "SLURM_CONF="+c.Conf)
}

// Command runs one of Slurm's commands against the cluster and returns its
// standard output.
func (c *Cluster) Command(name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.Env(), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

func (c *Cluster) path(parts ...string) string {
	return filepath.Join(append([]string{c.Dir}, parts...)...)
}

// writeConfig writes slurm.conf: the current user runs everything, task
// processes are tracked by process group (no cgroups), and there is no
// accounting database.
func (c *Cluster) writeConfig(cpus int) {
	u, err := user.Current()
	if err != nil {
		c.t.Fatal(err)
	}
	for _, d := range []string{"munge", "state", "spool", "log"} {
		mode := os.FileMode(0o700)
		if d == "munge" {
			mode = 0o755 // munged wants its socket folder readable by clients
		}
		if err := os.Mkdir(c.path(d), mode); err != nil {
			c.t.Fatal(err)
		}
	}
	ctldPort, dPort := freePort(c.t), freePort(c.t)
	conf := fmt.Sprintf(`ClusterName=auwatchdtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=%d
SlurmdPort=%d
SlurmUser=%s
SlurmdUser=%s
AuthType=auth/munge
AuthInfo=socket=%s
CredType=cred/munge
StateSaveLocation=%s
SlurmdSpoolDir=%s
SlurmctldPidFile=%s
SlurmdPidFile=%s
SlurmctldLogFile=%s
SlurmdLogFile=%s
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=%d RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
`, ctldPort, dPort, u.Username, u.Username, c.path("munge", "socket"), c.path("state"), c.path("spool"),
		c.path("slurmctld.pid"), c.path("slurmd.pid"), c.path("log", "slurmctld.log"), c.path("log", "slurmd.log"), cpus)
	if err := os.WriteFile(c.Conf, []byte(conf), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMunge starts munged with a key of its own.
func (c *Cluster) startMunge() {
	key := make([]byte, 1024)
	rand.Read(key)
	if err := os.WriteFile(c.path("munge", "key"), key, 0o600); err != nil {
		c.t.Fatal(err)
	}
	c.startDaemon("munged", "-F", "--key-file="+c.path("munge", "key"), "--socket="+c.path("munge", "socket"),
		"--pid-file="+c.path("munge", "pid"), "--seed-file="+c.path("munge", "seed"), "--log-file="+c.path("log", "munged.log"))
	c.waitFor("munged's socket", func() bool {
		_, err := os.Stat(c.path("munge", "socket"))
		return err == nil
	})
}

// startDaemon starts a daemon in the foreground as a child process, its
// output in the log folder.
func (c *Cluster) startDaemon(name string, args ...string) {
	out, err := os.Create(c.path("log", name+".out"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(c.paths[name], args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.Env(), out, out
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", name, err)
	}
	c.daemons = append(c.daemons, cmd)
}

// waitIdle waits until the node takes jobs.
func (c *Cluster) waitIdle() {
	c.waitFor("the node to be idle", func() bool {
		out, err := c.Command("sinfo", "--noheader", "--format=%T")
		return err == nil && strings.TrimSpace(out) == "idle"
	})
}

func (c *Cluster) waitFor(what string, ok func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(startTimeout)
	for !ok() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %s; logs:\n%s", what, c.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Logs returns the daemons' logs, for a failing test to show.
func (c *Cluster) Logs() string {
	var b strings.Builder
	paths, _ := filepath.Glob(c.path("log", "*"))
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "== %s\n%s\n", filepath.Base(p), data)
	}
	return b.String()
}

// stop cancels every job and waits for it to end (job processes outlive
// the daemons), stops the daemons by PID, newest first, checks that no
// process naming the cluster's folder is left, and removes the folder.
func (c *Cluster) stop() {
	if len(c.daemons) == 3 {
		c.drainJobs()
	}
	for i := len(c.daemons) - 1; i >= 0; i-- {
		stopProcess(c.t, c.daemons[i])
	}
	if out, err := exec.Command("pgrep", "-a", "-f", c.Dir).Output(); err == nil {
		c.t.Errorf("processes left behind:\n%s", out)
	}
	if err := os.RemoveAll(c.Dir); err != nil {
		c.t.Errorf("remove the cluster's folder: %v", err)
	}
}

// drainJobs cancels every job of the cluster and waits until none is left.
func (c *Cluster) drainJobs() {
	out, err := c.Command("squeue", "--noheader", "--format=%F")
	if err != nil {
		c.t.Errorf("list the jobs left: %v", err)
		return
	}
	if ids := strings.Fields(out); len(ids) > 0 {
		if _, err := c.Command("scancel", ids...); err != nil {
			c.t.Errorf("cancel the jobs left: %v", err)
		}
	}
	deadline := time.Now().Add(drainTimeout)
	for {
		out, err := c.Command("squeue", "--noheader", "--format=%i")
		if err == nil && strings.TrimSpace(out) == "" {
			return
		}
		if time.Now().After(deadline) {
			c.t.Errorf("jobs still there after they were cancelled:\n%s", out)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stopProcess ends a daemon with SIGTERM, then SIGKILL if it lingers, and
// reaps it.
func stopProcess(t testing.TB, cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Logf("stop %s (pid %d): %v", cmd.Path, cmd.Process.Pid, err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
