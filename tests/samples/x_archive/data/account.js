window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "mayor@riverton.example.gov",
      "createdVia" : "web",
      "username" : "MayorMarsh",
      "accountId" : "1400000000000000001",
      "createdAt" : "2019-01-10T17:00:00.000Z",
      "accountDisplayName" : "Mayor Elena Marsh"
    }
  }
]
