-- wrk script for bench/soak.sh: alternates GET /v1/models/<MODEL>/similar?word=W&k=10 and
-- GET /v1/models/<MODEL>/similarity?a=W1&b=W2, words drawn from WORDS_FILE (all in the model).
-- wrk counts non-2xx responses itself ("Non-2xx or 3xx responses"); no per-response Lua.
local words = {}
local model = os.getenv("MODEL")
local file = os.getenv("WORDS_FILE")
local n = 0

init = function(args)
  for line in io.lines(file) do
    words[#words + 1] = line
  end
end

request = function()
  n = n + 1
  local a = words[math.random(#words)]
  if n % 2 == 0 then
    return wrk.format("GET", "/v1/models/" .. model .. "/similar?word=" .. a .. "&k=10")
  end
  local b = words[math.random(#words)]
  return wrk.format("GET", "/v1/models/" .. model .. "/similarity?a=" .. a .. "&b=" .. b)
end
