module cdktf-immutable/dockerignore-oracle

go 1.21

require github.com/moby/patternmatcher v0.6.0
