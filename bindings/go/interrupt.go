package cicd

import (
	"context"
	"errors"
)

// underContext runs call, a blocking library call, with the handle's
// cancel flag tied to ctx: clear resets a flag left by an earlier call,
// cancel (the only library call that may overlap another) runs on its own
// goroutine when ctx ends while call runs, and is awaited before returning,
// so it can never reach a later call or a freed handle. An ErrCanceled that
// ctx caused comes back as ctx.Err(). The caller holds the handle's mutex.
func underContext(ctx context.Context, clear, cancel func(), call func() error) (err error) {
	clear()
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		cancel()
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
		}
		if err != nil && errors.Is(err, ErrCanceled) && ctx.Err() != nil {
			err = ctx.Err()
		}
	}()
	return call()
}
