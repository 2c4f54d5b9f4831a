// Apollo Gateway 2 behind Apollo Server (4 or 5), composing one subgraph:
// the Node federation gateway that bench/node_gateway.py measures ours
// against. It asks the subgraph for its SDL (`_service { sdl }`), composes a
// supergraph from it with @apollo/composition as `rover supergraph compose`
// would, and serves that supergraph statically, set up as for production:
// no landing page, no introspection, no usage or schema reporting, no
// inline traces. Run with NODE_ENV=production.
//
//   node apollo_gateway.mjs --subgraph http://127.0.0.1:7101/graphql \
//     --port 4000 [--server 5] [--name M000]
//
// It prints one line, "ready <url>", when it serves; a composition that
// fails prints every error and exits with status 3.

import { parseArgs } from "node:util";
import { composeServices } from "@apollo/composition";
import { ApolloGateway } from "@apollo/gateway";
import { parse } from "graphql";

const SDL_QUERY = "query SubgraphSdl { _service { sdl } }";
const COMPOSITION_FAILED = 3;

// Both majors are installed (the 4.x under an npm alias), so that one run
// can measure the one people still run and the current one.
const SERVERS = {
  4: "apollo-server-4",
  5: "@apollo/server",
};

function readOptions() {
  const { values } = parseArgs({
    options: {
      subgraph: { type: "string" },
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      name: { type: "string", default: "member" },
      server: { type: "string", default: "5" },
    },
  });
  if (!values.subgraph || !values.port || !(values.server in SERVERS)) {
    throw new Error("needs --subgraph URL --port N [--server 4|5]");
  }
  return values;
}

async function fetchSdl(url) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: SDL_QUERY }),
  });
  const answer = await response.json();
  if (answer.errors) {
    throw new Error(`${url} refused ${SDL_QUERY}: ${JSON.stringify(answer.errors)}`);
  }
  return answer.data._service.sdl;
}

function compose(name, url, sdl) {
  const result = composeServices([{ name, url, typeDefs: parse(sdl) }]);
  for (const hint of result.hints ?? []) {
    console.error(`composition hint: ${hint.toString()}`);
  }
  if (result.errors) {
    for (const error of result.errors) {
      console.error(`composition error: ${error.message}`);
    }
    process.exit(COMPOSITION_FAILED);
  }
  return result.supergraphSdl;
}

async function serve(options, supergraphSdl) {
  const root = SERVERS[options.server];
  const { ApolloServer } = await import(root);
  const { startStandaloneServer } = await import(`${root}/standalone`);
  const disabled = await import(`${root}/plugin/disabled`);
  const server = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl }),
    introspection: false,
    includeStacktraceInErrorResponses: false,
    plugins: [
      disabled.ApolloServerPluginLandingPageDisabled(),
      disabled.ApolloServerPluginUsageReportingDisabled(),
      disabled.ApolloServerPluginSchemaReportingDisabled(),
      disabled.ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: options.host, port: Number(options.port) },
  });
  return url;
}

const options = readOptions();
const sdl = await fetchSdl(options.subgraph);
const url = await serve(options, compose(options.name, options.subgraph, sdl));
console.log(`ready ${url}`);
