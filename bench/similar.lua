-- wrk script: GET /v1/models/<MODEL>/similar?word=<random word>&k=10, words from WORDS_FILE.
local words = {}
local model = os.getenv("MODEL")
local file = os.getenv("WORDS_FILE")

init = function(args)
  for line in io.lines(file) do
    words[#words + 1] = line
  end
end

request = function()
  local w = words[math.random(#words)]
  return wrk.format("GET", "/v1/models/" .. model .. "/similar?word=" .. w .. "&k=10")
end

response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
