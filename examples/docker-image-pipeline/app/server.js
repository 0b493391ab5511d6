const http = require('http');

http.createServer((_request, response) => {
  response.end(`hello from ${process.env.APP_VERSION ?? 'dev'}\n`);
}).listen(8080);
