module github.com/gormext/gormext/outbox/amqp

go 1.26.0

replace github.com/gormext/gormext => ../..

require (
	github.com/gormext/gormext v0.0.0-00010101000000-000000000000
	github.com/rabbitmq/amqp091-go v1.16.0
	go.uber.org/goleak v1.3.0
)
