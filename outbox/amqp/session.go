package amqp

import (
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// returnBuffer is how many basic.return frames wait for Publish to read
// them; Publish reads them as it goes, so this only smooths bursts.
const returnBuffer = 1024

// session is one connection with one channel in confirm mode, and the
// channel its returned messages arrive on.
type session struct {
	conn    *amqp091.Connection
	ch      *amqp091.Channel
	returns chan amqp091.Return
	closed  chan *amqp091.Error
}

func openSession(cfg Config) (*session, error) {
	conn, err := cfg.dial()
	if err != nil {
		return nil, err
	}
	ch, err := conn.Channel()
	if err != nil {
		_ = conn.Close()
		return nil, &ConnError{Op: "open channel", Err: err}
	}
	if err := ch.Confirm(false); err != nil {
		_ = conn.Close()
		return nil, &ConnError{Op: "confirm mode", Err: err}
	}
	returns := ch.NotifyReturn(make(chan amqp091.Return, returnBuffer))
	closed := ch.NotifyClose(make(chan *amqp091.Error, 1))
	return &session{conn: conn, ch: ch, returns: returns, closed: closed}, nil
}

func (s *session) alive() bool { return !s.conn.IsClosed() && !s.ch.IsClosed() }

func (s *session) close() { _ = s.conn.Close() }

// drainReturns moves the returns already received into returned, by
// message-id, without waiting.
func (s *session) drainReturns(returned map[string]struct{}) {
	for {
		select {
		case r, ok := <-s.returns:
			if !ok {
				return
			}
			returned[r.MessageId] = struct{}{}
		default:
			return
		}
	}
}
