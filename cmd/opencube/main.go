// Command opencube runs the opencube server and its operator tools.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first SIGTERM or interrupt ends ctx: `opencube serve` then
	// answers the requests in flight before it stops (--shutdown-timeout).
	// A second one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the process at once
	}()
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "opencube:", err)
	}
	os.Exit(exitCode(err))
}
