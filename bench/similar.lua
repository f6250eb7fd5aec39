-- wrk script: GET /v1/models/<MODEL>/similar?word=<random word>&k=10, words from WORDS_FILE.
-- No response() hook: a Lua call per response costs wrk CPU that the server needs on a small
-- machine; wrk counts "Non-2xx or 3xx responses" itself and query_load.sh checks that line.
local words = {}
local model = os.getenv("MODEL")
local file = os.getenv("WORDS_FILE")
local extra = os.getenv("QUERY") or ""

init = function(args)
  for line in io.lines(file) do
    words[#words + 1] = line
  end
end

request = function()
  local w = words[math.random(#words)]
  return wrk.format("GET", "/v1/models/" .. model .. "/similar?word=" .. w .. "&k=10" .. extra)
end
