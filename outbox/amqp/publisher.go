package amqp

import (
	"context"
	"errors"
	"sync"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/gormext/gormext/outbox"
)

// Publisher is an [outbox.Publisher] on one AMQP connection and channel,
// opened at the first Publish and opened again after it dropped. Publish
// calls from several goroutines take turns on that channel.
type Publisher struct {
	cfg Config

	mu     sync.Mutex
	s      *session
	closed bool
}

var _ outbox.Publisher = (*Publisher)(nil)

// NewPublisher returns a Publisher for cfg; it connects at the first
// Publish.
func NewPublisher(cfg Config) *Publisher { return &Publisher{cfg: cfg} }

// Publish sends msgs in order and waits for the broker's confirms. It
// returns how many leading messages the broker confirmed; the error says
// why the next one was not: a [*MessageError] matching [ErrUnroutable] or
// [ErrNacked], a [*ConnError] when the broker cannot be reached or the
// channel closed (the next Publish dials again), or ctx's error.
func (p *Publisher) Publish(ctx context.Context, msgs []outbox.Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, ErrClosed
	}
	s, err := p.session()
	if err != nil {
		return 0, err
	}
	n, err := s.publish(ctx, p.cfg, msgs)
	if err != nil && !errors.Is(err, ErrUnroutable) {
		// A channel whose confirms we stopped waiting for, or that the
		// broker closed, is not used again.
		p.s.close()
		p.s = nil
	}
	return n, err
}

// Close closes the connection; Publish returns ErrClosed from then on.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.s != nil {
		p.s.close()
		p.s = nil
	}
	return nil
}

// session returns the open session, dialling a new one when there is none
// or the last one dropped. p.mu is held.
func (p *Publisher) session() (*session, error) {
	if p.s != nil && p.s.alive() {
		return p.s, nil
	}
	if p.s != nil {
		p.s.close()
		p.s = nil
	}
	s, err := openSession(p.cfg)
	if err != nil {
		return nil, err
	}
	p.s = s
	return s, nil
}

// publish sends msgs keeping at most cfg.InFlight unconfirmed, and returns
// how many leading ones were confirmed.
func (s *session) publish(ctx context.Context, cfg Config, msgs []outbox.Message) (int, error) {
	window := cfg.InFlight
	if window <= 0 {
		window = len(msgs)
	}
	returned := map[string]struct{}{}
	s.drainReturns(map[string]struct{}{}) // left by an earlier call
	pending := make([]*amqp091.DeferredConfirmation, 0, len(msgs))
	confirmed := 0
	for _, m := range msgs {
		dc, err := s.ch.PublishWithDeferredConfirmWithContext(ctx, cfg.Exchange, m.Topic, true, false, publishing(m))
		if err != nil {
			if s.ch.IsClosed() {
				err = closeReason(s.closed) // the broker's reason, when it came
			}
			return confirmed, &ConnError{Op: "publish", Err: err}
		}
		pending = append(pending, dc)
		s.drainReturns(returned)
		for len(pending)-confirmed >= window {
			if err := s.await(ctx, pending[confirmed], msgs[confirmed], returned); err != nil {
				return confirmed, err
			}
			confirmed++
		}
	}
	for ; confirmed < len(pending); confirmed++ {
		if err := s.await(ctx, pending[confirmed], msgs[confirmed], returned); err != nil {
			return confirmed, err
		}
	}
	return confirmed, nil
}

// await waits for dc, reading returns meanwhile. The broker sends a
// message's basic.return before its basic.ack, and the client hands the
// return over before it settles the confirm, so once dc is done a return
// for msg, if any, is in returned.
func (s *session) await(ctx context.Context, dc *amqp091.DeferredConfirmation, msg outbox.Message, returned map[string]struct{}) error {
	if err := s.wait(ctx, dc, returned); err != nil {
		return err
	}
	s.drainReturns(returned)
	if _, ok := returned[msg.ID]; ok {
		return &MessageError{ID: msg.ID, Topic: msg.Topic, Err: ErrUnroutable}
	}
	if dc.Acked() {
		return nil
	}
	if s.ch.IsClosed() {
		return &ConnError{Op: "confirm", Err: closeReason(s.closed)}
	}
	return &MessageError{ID: msg.ID, Topic: msg.Topic, Err: ErrNacked}
}

// wait blocks until dc is done or ctx ends, moving returns into returned
// as they come.
func (s *session) wait(ctx context.Context, dc *amqp091.DeferredConfirmation, returned map[string]struct{}) error {
	returns := s.returns
	for {
		select {
		case r, ok := <-returns:
			if !ok {
				returns = nil
				continue
			}
			returned[r.MessageId] = struct{}{}
		case <-ctx.Done():
			return ctx.Err()
		case <-dc.Done():
			return nil
		}
	}
}
