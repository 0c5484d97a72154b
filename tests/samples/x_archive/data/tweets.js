window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : { "initial" : { "editTweetIds" : [ "1800000000000000001" ], "editable" : "true" } },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
      "display_text_range" : [ "0", "52" ],
      "favorite_count" : "12",
      "id_str" : "1800000000000000001",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "1800000000000000001",
      "created_at" : "Wed Oct 07 16:30:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Budget hearings continue Thursday at 6 pm. Join us.",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "id_str" : "1800000000000000002",
      "in_reply_to_status_id_str" : "1799999999999999999",
      "in_reply_to_user_id_str" : "1500000000000000042",
      "in_reply_to_screen_name" : "resident42",
      "created_at" : "Thu Oct 08 09:00:00 +0000 2026",
      "full_text" : "@resident42 Thanks, crews are on it this week.",
      "lang" : "en"
    }
  }
]
