-- home: reports what the home networks (--home-net) say of the demo's
-- planted name and of a few addresses, once, in its evidence (tests).
function evaluate(key)
  if key.kind ~= "name" or key.name ~= "mail1.trump-email.com" or key.lookups < 100 then return end
  exclave.alert{ signature = "home probe", signature_id = 55,
                 evidence = { home_lookups = key.home_lookups,
                              alfa_is_home = exclave.home("203.0.113.10"),
                              alfa6_is_home = exclave.home("2001:db8:a1fa::53"),
                              google_is_home = exclave.home("8.8.8.8"),
                              text_is_nil = exclave.home("not an address") == nil } }
end
