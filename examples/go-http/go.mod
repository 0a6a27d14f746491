module example.com/deckhand/go-http

go 1.19
